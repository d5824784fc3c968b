"""Underfitting: logistic regression (a single Linear layer) on the two-moons data.

A linear boundary cannot separate interleaved half-moons; the loss stalls
well above what a small MLP reaches. (Fix: hidden layers - more capacity.)
"""
import torch
from sklearn.datasets import make_moons
from torch import nn

from loss_advisor.examples._data import loader, split, standardise


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = make_moons(1000, noise=0.1, random_state=seed)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    x_tr, x_va = standardise(x_tr, x_va)
    return {
        "model": nn.Linear(2, 2),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
