"""Logistic regression (a single Linear layer) on concentric circles: cannot separate them, loss stays ~ln 2."""
import torch
import torch.nn as nn
from sklearn.datasets import make_circles
from torch.utils.data import DataLoader, TensorDataset


class LogReg(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)

    def forward(self, x):
        return self.linear(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_circles(n_samples=1000, noise=0.05, factor=0.5, random_state=seed)
    X = torch.tensor(X / X.std(0), dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": LogReg(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": DataLoader(TensorDataset(X[:800], y[:800]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[800:], y[800:]), batch_size=200),
    }
