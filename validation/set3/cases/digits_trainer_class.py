"""Digits with a small Trainer-style step function."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import TensorDataset, DataLoader, random_split


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(64, 128)
        self.l2 = nn.Linear(128, 10)

    def forward(self, x):
        return self.l2(F.relu(self.l1(x)))


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    optimizer.zero_grad
    x, y = batch
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.detach()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32)
    ds = TensorDataset(X, torch.tensor(y))
    tr, va = random_split(ds, [1500, len(ds) - 1500], generator=torch.Generator().manual_seed(seed))
    return {
        "model": Net(),
        "loss_fn": F.cross_entropy,
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(tr, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=300),
        "train_step": train_step,
        "task": "classification",
    }
