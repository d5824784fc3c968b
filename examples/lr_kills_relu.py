"""A learning rate that kills the ReLUs: SGD with momentum at lr=1.0 on the digits.

The first large updates push most hidden pre-activations below zero for
every input; those units output zero, pass no gradient and stay dead, so
the run looks like a dead-ReLU problem. The dead units are a consequence:
at a sane rate (0.01 to 0.1) almost none die. (Fix: lower the learning
rate; the dead units then take care of themselves.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                          nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1.0, momentum=0.9),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
