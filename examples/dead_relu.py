"""Dead ReLU: hidden biases initialised to -3 "to make activations sparse".

Every pre-activation is negative, so every ReLU outputs zero, passes no gradient
and never recovers. (Fix: zero or small positive biases, He initialisation,
or LeakyReLU.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    for layer in list(model)[:-1]:
        if isinstance(layer, nn.Linear):
            nn.init.constant_(layer.bias, -3.0)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
