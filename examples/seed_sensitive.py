"""Seed sensitivity: a deep, very narrow ReLU network (three units per layer) on two moons.

Whether training works depends on the draw: some seeds kill the few units and
stall at ln 2, others learn. (Fix: wider layers, He initialisation, compare
several seeds before trusting one result.)
"""
import torch
from sklearn.datasets import make_moons
from torch import nn

from loss_advisor.examples._data import loader, split, standardise


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = make_moons(800, noise=0.1, random_state=0)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=0)
    x_tr, x_va = standardise(x_tr, x_va)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.ReLU(),
                          nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
