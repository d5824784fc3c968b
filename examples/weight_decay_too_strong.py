"""Over-regularised: AdamW with weight_decay=10.

AdamW decays every weight by lr x weight_decay per step, apart from the
gradient: at lr=1e-3 and weight_decay=10 that is 1% per step, a half-life
of 70 steps, so the weights settle where the decay cancels the update and
the model cannot fit even a small batch. (The values people mean are
0.01-0.1; 10 is a typo for 1e-1, or an L2 coefficient from a paper taken
as AdamW's decoupled decay.)
(Fix: weight_decay=0.01.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from _data import loader, split, standardise


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    xt, xv, yt, yv = split(x, y, seed=seed)
    xt, xv = standardise(xt, xv)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=10.0),   # <- 10
        "train_data": loader(xt, yt, batch_size=32),
        "val_data": loader(xv, yv, batch_size=128, shuffle=False),
    }
