"""Loss does not fit the task: iris species (0, 1, 2) regressed with MSELoss and one output.

Treating class indices as numbers asks the model to put "versicolor" half-way
between the other two. (Fix: three outputs and CrossEntropyLoss on the indices.)
"""
import torch
from sklearn.datasets import load_iris
from torch import nn

from loss_advisor.examples._data import loader, split, standardise


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_iris(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    x_tr, x_va = standardise(x_tr, x_va)
    return {
        "model": nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 1)),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": loader(x_tr, y_tr.reshape(-1, 1), batch_size=16, y_dtype=torch.float32),
        "val_data": loader(x_va, y_va.reshape(-1, 1), batch_size=64, shuffle=False, y_dtype=torch.float32),
        "task": "classification",
    }
