# Friedman #1 regression, custom training step with dict batches
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader
from sklearn.datasets import make_friedman1


class FriedmanDS(Dataset):
    def __init__(self, X, y):
        self.X = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "target": self.y[i]}


class Regressor(nn.Module):
    def __init__(self, d=10):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, features):
        return self.mlp(features).squeeze(-1)


def split_batch(batch):
    return batch["features"], batch["target"]


def train_step(model, batch, optimizer, loss_fn):
    x, y = split_batch(batch)
    optimizer.zero_grad()
    pred = model(x)
    loss = loss_fn(pred, y)
    optimizer.step()
    loss.backward()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_friedman1(n_samples=2500, noise=0.5, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    g = torch.Generator().manual_seed(seed)
    return {
        "model": Regressor(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(FriedmanDS(X[:2000], y[:2000]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(FriedmanDS(X[2000:], y[2000:]), batch_size=500),
        "split_batch": split_batch,
        "train_step": train_step,
        "task": "regression",
    }
