"""Breast cancer MLP. The real job runs on a small GPU, so each batch is
processed in 8 micro-batches with gradient accumulation."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

ACCUM_STEPS = 8


def train_step(model, batch, optimizer, loss_fn):
    x, y = batch
    model.train()
    optimizer.zero_grad()
    total = 0.0
    for xm, ym in zip(x.chunk(ACCUM_STEPS), y.chunk(ACCUM_STEPS)):
        loss = loss_fn(model(xm), ym)
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total / ACCUM_STEPS


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(y), generator=g).numpy()
    X, y = X[perm], y[perm]
    sc = StandardScaler().fit(X[:450])
    X = torch.tensor(sc.transform(X), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:450], y[:450]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[450:], y[450:]), batch_size=128),
        "train_step": train_step,
        "task": "binary",
    }
