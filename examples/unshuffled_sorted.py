"""Data not shuffled: the digits sorted by label, and shuffle=False.

Each stretch of batches holds one digit, so the model learns "0", then
forgets it for "1", and so on. (Fix: DataLoader(..., shuffle=True).)
"""
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    order = np.argsort(y_tr, kind="stable")                    # "to make debugging easier"
    return {
        "model": nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.1),
        "train_data": loader(x_tr[order], y_tr[order], shuffle=False),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
