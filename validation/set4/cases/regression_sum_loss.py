"""make_regression benchmark, standardised X and y, plain SGD.
Loss is the squared error of the batch (sum, as in the textbook formula)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_regression


def sse(pred, target):
    return ((pred - target) ** 2).sum()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=3000, n_features=16, n_informative=10, noise=10.0, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).view(-1, 1)
    g = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": sse,
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.01),
        "train_data": DataLoader(TensorDataset(X[:2500], y[:2500]), batch_size=256, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[2500:], y[2500:]), batch_size=500),
        "task": "regression",
    }
