"""Blobs classifier; the step was copied from the team's GPU training script."""
import torch
import torch.nn as nn
from sklearn.datasets import make_blobs
from torch.utils.data import TensorDataset, DataLoader

DEVICE = "cuda"


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    x, y = batch
    x, y = x.to(DEVICE), y.to(DEVICE)
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_blobs(n_samples=1200, centers=4, n_features=6, cluster_std=2.0, random_state=seed)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    y = torch.tensor(y)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 4))   # model stays on the CPU
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1000], y[:1000]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1000:], y[1000:]), batch_size=200),
        "train_step": train_step,
        "task": "classification",
    }
