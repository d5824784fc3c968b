"""Moons with a hand-written training step."""
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from torch.utils.data import TensorDataset, DataLoader


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    x, y = batch
    optimizer.zero_grad()
    logits = model(x)
    loss = loss_fn(logits, y)
    optimizer.step()
    loss.backward()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=1000, noise=0.2, random_state=seed)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    y = torch.tensor(y)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:800], y[:800]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[800:], y[800:]), batch_size=200),
        "train_step": train_step,
        "task": "classification",
    }
