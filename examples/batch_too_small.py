"""Batch too small: batch_size=1 with plain SGD at 0.2.

Every step follows the gradient of one example; the curve is mostly noise.
(Fix: batches of 32-256, or a smaller rate with momentum.)
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
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.2),
        "train_data": loader(x_tr, y_tr, batch_size=1),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
