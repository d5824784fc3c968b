"""Bad initialisation: every weight set to zero.

All hidden units compute the same thing, receive the same gradient and stay
identical forever (and with tanh they start at zero gradient too).
(Fix: keep PyTorch's default initialisation, or Xavier/He.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 10))
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.1),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
