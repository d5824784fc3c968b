"""Constant loss: a custom loss that goes through .item() and back into a new tensor.

The graph is cut, so backward() reaches no parameter and nothing ever changes.
(Fix: keep the loss a tensor computed from the outputs; never .item() inside it.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


def smoothed_cross_entropy(outputs, targets):
    value = nn.functional.cross_entropy(outputs, targets, label_smoothing=0.1).item()
    return torch.tensor(value, requires_grad=True)   # looks like a loss, is a constant


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    return {
        "model": nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)),
        "loss_fn": smoothed_cross_entropy,
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
