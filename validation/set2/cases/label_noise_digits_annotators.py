"""Digits with sloppy annotation: 45% of training and validation labels replaced by a random digit."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    wrong = rng.random(len(y)) < 0.45
    y = np.where(wrong, rng.integers(0, 10, len(y)), y)
    idx = rng.permutation(len(y))
    X = torch.tensor(X[idx], dtype=torch.float32)
    y = torch.tensor(y[idx])
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1400], y[:1400]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1400:], y[1400:]), batch_size=400),
    }
