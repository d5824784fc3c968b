"""Healthy: a small CNN with BatchNorm and Dropout on the digits, with the
user's own training step written correctly (train mode, zero_grad, backward, step).
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


class DigitCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(32 * 2 * 2, 10))

    def forward(self, x):
        return self.head(self.features(x.view(-1, 1, 8, 8)))


def train_step(model, batch, optimizer, loss_fn):
    inputs, targets = batch
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    return {
        "model": DigitCNN(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(x_tr, y_tr, batch_size=64),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
        "train_step": train_step,
    }
