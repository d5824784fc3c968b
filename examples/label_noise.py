"""Label noise: 40% of the digit labels replaced at random (a bad annotation pass).

The model is pulled between contradicting labels and the loss stalls high.
(Fix: audit the labels - the suspicious indices are a place to start.)
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
    rng = np.random.RandomState(seed)
    y_tr = y_tr.copy()
    flipped = rng.rand(len(y_tr)) < 0.4
    y_tr[flipped] = rng.randint(0, 10, flipped.sum())
    return {
        "model": nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
