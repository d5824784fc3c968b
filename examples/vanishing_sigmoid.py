"""Vanishing gradients: ten sigmoid layers deep, plain SGD.

Each sigmoid scales the gradient by at most 0.25 on the way back; by the first
layer almost nothing is left, and the loss does not move. (Fix: ReLU with He
initialisation, fewer layers, or BatchNorm between them.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    layers = [nn.Linear(64, 64), nn.Sigmoid()]
    for _ in range(9):
        layers += [nn.Linear(64, 64), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(64, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.1),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
