"""Healthy: a small MLP on the 8x8 digits, pixels scaled to [0, 1], Adam at 1e-3.

Nothing is wrong here; the probes should raise no finding at 50% or above.
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    return {
        "model": nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
