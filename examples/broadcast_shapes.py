"""Target shape mismatch: outputs of shape [N, 1] against targets of shape [N] in MSELoss.

The loss broadcasts them to [N, N] and compares every prediction with every
target; PyTorch only warns. (Fix: targets.view(-1, 1), or outputs.squeeze(1).)
"""
import torch
from sklearn.datasets import load_diabetes
from torch import nn

from loss_advisor.examples._data import loader, split, standardise


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_diabetes(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    x_tr, x_va = standardise(x_tr, x_va)
    mean, std = y_tr.mean(), y_tr.std()
    return {
        "model": nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1)),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(x_tr, (y_tr - mean) / std, y_dtype=torch.float32),
        "val_data": loader(x_va, (y_va - mean) / std, batch_size=256, shuffle=False, y_dtype=torch.float32),
    }
