"""Regression on log(sales) where a few rows had zero sales: log(0) = -inf sneaks into the targets."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X, y = make_friedman1(n_samples=1200, n_features=6, noise=0.5, random_state=seed)
    sales = np.exp(y / 6.0)
    sales[rng.random(len(sales)) < 0.005] = 0.0  # stores that were closed
    with np.errstate(divide="ignore"):
        log_sales = np.log(sales)
    X = (X - X.mean(0)) / X.std(0)
    X = torch.tensor(X, dtype=torch.float32)
    t = torch.tensor(log_sales, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(6, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.SmoothL1Loss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1000], t[:1000]), batch_size=50, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1000:], t[1000:]), batch_size=200),
        "task": "regression",
    }
