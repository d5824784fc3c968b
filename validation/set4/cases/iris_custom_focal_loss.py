"""Iris with a hand-rolled focal loss (computed in numpy so I could check it
against the reference implementation line by line)."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler


class FocalLoss:
    def __init__(self, gamma=2.0):
        self.gamma = gamma

    def __call__(self, logits, target):
        p = torch.softmax(logits, dim=1).detach().cpu().numpy()
        t = target.cpu().numpy()
        pt = p[np.arange(len(t)), t]
        loss = -((1 - pt) ** self.gamma) * np.log(pt + 1e-12)
        return torch.tensor(loss.mean(), dtype=torch.float32, requires_grad=True)


def target(seed=0):
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    X, y = load_iris(return_X_y=True)
    idx = rng.permutation(150)
    X = StandardScaler().fit_transform(X)
    X, y = torch.tensor(X[idx], dtype=torch.float32), torch.tensor(y[idx])
    g = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 3))
    return {
        "model": model,
        "loss_fn": FocalLoss(gamma=2.0),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-2),
        "train_data": DataLoader(TensorDataset(X[:120], y[:120]), batch_size=16, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[120:], y[120:]), batch_size=30),
        "task": "classification",
    }
