"""Healthy: raw features, standardised inside the model.

The breast-cancer features arrive in their raw units (cell areas in the
thousands next to smoothness values around 0.1), but the model
standardises them itself in forward() with a mean and standard deviation
fitted on the training split and stored as registered buffers, as many
Lightning modules and exported models do. The first Linear layer sees
standardised inputs: nothing to fix.
"""
import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

from loss_advisor.examples._data import loader, split


class Standardised(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32))
        self.net = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_breast_cancer(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    mean, std = x_tr.mean(0), x_tr.std(0) + 1e-8
    return {
        "model": Standardised(mean, std),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(np.asarray(x_tr), y_tr),
        "val_data": loader(np.asarray(x_va), y_va, batch_size=256, shuffle=False),
    }
