"""Overfitting: 80 training digits for a half-a-million-parameter MLP, no regularisation.

The training loss goes to zero within a few hundred steps while the validation
loss stops improving and climbs. (Fix: more data or augmentation, Dropout,
weight decay, a smaller model, early stopping.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    x_tr, y_tr = x_tr[:80], y_tr[:80]                    # "the labelled subset"
    model = nn.Sequential(nn.Linear(64, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(x_tr, y_tr, batch_size=16),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
