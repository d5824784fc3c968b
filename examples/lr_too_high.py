"""Learning rate too high: SGD at lr=5.0 on the digits.

A rate copied from a tutorial for a different model. The loss jumps around
near where it started and most ReLU units die. (Fix: lr around 0.1 for SGD,
or Adam at 1e-3.)
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
        "optimizer": lambda params: torch.optim.SGD(params, lr=5.0),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
