"""Loss not averaged: MSELoss(reduction="sum") with a rate tuned for a mean.

The gradient is 128 times larger than the rate expects with batches of 128,
and the run blows up. (Fix: reduction="mean", the default.)
"""
import torch
from sklearn.datasets import load_diabetes
from torch import nn

from loss_advisor.examples._data import loader, split, standardise


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_diabetes(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    x_tr, x_va = standardise(x_tr, x_va)
    mean, std = y_tr.mean(), y_tr.std()
    y_tr, y_va = ((y_tr - mean) / std).reshape(-1, 1), ((y_va - mean) / std).reshape(-1, 1)
    return {
        "model": nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1)),
        "loss_fn": nn.MSELoss(reduction="sum"),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05),
        "train_data": loader(x_tr, y_tr, batch_size=128, y_dtype=torch.float32),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False, y_dtype=torch.float32),
    }
