"""Regression on sensor readings; one sensor drops out now and then (logged as NaN)."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    rng = np.random.RandomState(seed)
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=2000, n_features=8, n_informative=6, noise=5.0, random_state=seed)
    dropout_rows = rng.rand(len(X)) < 0.01
    X[dropout_rows, 3] = np.nan           # sensor 3 offline
    X = StandardScaler().fit_transform(X)  # sklearn ignores NaN when fitting, keeps it in the output
    y = (y - y.mean()) / y.std()
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=400),
        "task": "regression",
    }
