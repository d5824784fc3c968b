"""Inputs not normalised: breast-cancer features in their raw units.

Cell areas in the thousands next to smoothness values around 0.1: the first
layer sees features whose scales differ by four orders of magnitude.
(Fix: StandardScaler, fitted on the training split.)
"""
import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

from loss_advisor.examples._data import loader, split


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_breast_cancer(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    return {
        "model": nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 2)),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-3, momentum=0.9),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
