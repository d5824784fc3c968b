"""Friedman #1 regression with a hand-written squared-error loss and SGD."""
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from torch.utils.data import TensorDataset, DataLoader


def squared_error(pred, target):
    return ((pred.squeeze(-1) - target) ** 2).sum()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_friedman1(n_samples=2000, noise=0.5, random_state=seed)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    model = nn.Sequential(nn.Linear(10, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": squared_error,
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=128, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=400),
        "task": "regression",
    }
