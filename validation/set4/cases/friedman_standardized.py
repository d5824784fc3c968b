# Friedman #1 regression; X and y standardised with training statistics.
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_friedman1
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_friedman1(n_samples=3000, n_features=10, noise=0.3, random_state=seed)
    X_tr, X_va, y_tr, y_va = X[:2500], X[2500:], y[:2500, None], y[2500:, None]
    xs, ys = StandardScaler().fit(X_tr), StandardScaler().fit(y_tr)
    T = lambda a: torch.tensor(a, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(10, 128), nn.SiLU(), nn.Linear(128, 128), nn.SiLU(), nn.Linear(128, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(T(xs.transform(X_tr)), T(ys.transform(y_tr))),
                                 batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(T(xs.transform(X_va)), T(ys.transform(y_va))), batch_size=500),
        "task": "regression",
    }
