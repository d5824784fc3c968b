"""Non-finite data: a few missing sensor values left as NaN in the inputs.

One NaN in a batch makes that step's loss and every gradient NaN, and the
model is ruined from then on. (Fix: impute or drop the rows before training.)
"""
import numpy as np
import torch
from sklearn.datasets import load_wine
from torch import nn

from loss_advisor.examples._data import loader, split, standardise


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_wine(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    x_tr, x_va = standardise(x_tr, x_va)
    x_tr = x_tr.copy()
    x_tr[[3, 40, 77], [5, 2, 9]] = np.nan          # missing readings
    return {
        "model": nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3)),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(x_tr, y_tr, batch_size=16),
        "val_data": loader(x_va, y_va, batch_size=64, shuffle=False),
    }
