"""Batch mixing: a transpose in forward() that silently mixes examples.

`h.t().reshape(batch, -1)` is meant to "flatten", but it interleaves the hidden
units of different examples, so each prediction depends on the whole batch.
(Fix: h.reshape(batch, -1) or h.flatten(1) - never transpose the batch axis away.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


class MixingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(64, 64)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        h = torch.relu(self.hidden(x))
        h = h.t().reshape(x.shape[0], -1)        # the bug
        return self.out(h)


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    return {
        "model": MixingNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(x_tr, y_tr, batch_size=64),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
