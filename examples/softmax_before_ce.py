"""Output activation mismatch: nn.Softmax as the last layer, then CrossEntropyLoss.

CrossEntropyLoss applies log-softmax itself; a softmax before it squashes the
gradient to almost nothing and the loss crawls. (Fix: drop the Softmax layer;
apply softmax only when you need probabilities at inference.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.1),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
