"""Friedman #3 regression; tensors built with torch.from_numpy to avoid copies."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman3
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_friedman3(n_samples=1500, noise=0.05, random_state=seed)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    X_t = torch.from_numpy(X)                  # zero-copy
    y_t = torch.from_numpy(y).unsqueeze(1)
    model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X_t[:1200], y_t[:1200]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X_t[1200:], y_t[1200:]), batch_size=300),
        "task": "regression",
    }
