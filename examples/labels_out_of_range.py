"""Invalid targets: wine classes numbered 1, 2, 3 (as in the original CSV) with 3 outputs.

CrossEntropyLoss needs indices 0..C-1; class 3 is out of range and the first
step fails. (Fix: subtract 1, or use a LabelEncoder.)
"""
import torch
from sklearn.datasets import load_wine
from torch import nn

from loss_advisor.examples._data import loader, split, standardise


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_wine(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x, y + 1, seed=seed)         # classes 1..3
    x_tr, x_va = standardise(x_tr, x_va)
    return {
        "model": nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3)),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(x_tr, y_tr, batch_size=16),
        "val_data": loader(x_va, y_va, batch_size=64, shuffle=False),
    }
