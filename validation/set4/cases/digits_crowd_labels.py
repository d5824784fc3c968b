"""Digits recognizer trained on labels collected from a cheap annotation round.

The annotation vendor re-labelled the images; we use their labels for both
training and validation.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits


def vendor_labels(y, rng, n_classes=10):
    # simulate the vendor pass: a good chunk of annotators just clicked something
    y = y.copy()
    clicked = rng.rand(len(y)) < 0.6
    y[clicked] = rng.randint(0, n_classes, clicked.sum())
    return y


def target(seed=0):
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0 - 0.5) / 0.5
    y = vendor_labels(y, rng)
    perm = rng.permutation(len(X))
    tr, va = perm[:1400], perm[1400:]
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.long)
    g = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(Xt[tr], yt[tr]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(Xt[va], yt[va]), batch_size=256),
        "task": "classification",
    }
