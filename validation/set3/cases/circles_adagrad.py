"""make_circles with a Tanh MLP and Adagrad."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_circles
from torch.utils.data import TensorDataset, DataLoader


class CircleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh())
        self.out = nn.Linear(32, 2)

    def forward(self, x):
        return self.out(self.hidden(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_circles(n_samples=1000, noise=0.08, factor=0.5, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    X = torch.from_numpy(X.astype(np.float32))
    y = torch.from_numpy(y.astype(np.int64))
    return {
        "model": CircleNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adagrad(params, lr=0.05),
        "train_data": DataLoader(TensorDataset(X[:800], y[:800]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[800:], y[800:]), batch_size=200),
        "task": "classification",
    }
