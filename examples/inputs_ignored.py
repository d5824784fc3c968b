"""Inputs ignored: forward() uses a stale cached tensor instead of its argument.

A leftover from debugging: the model caches the first batch it ever saw and
keeps predicting from it, so the inputs never reach the output. The loss can
only learn the class frequencies. (Fix: use `x`.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


class CachingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        self.register_buffer("cached", torch.zeros(1, 64))

    def forward(self, x):
        return self.net(self.cached.expand(x.shape[0], -1))   # should be self.net(x)


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    return {
        "model": CachingNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
