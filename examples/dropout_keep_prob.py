"""Over-regularised: Dropout(0.9) written as a keep-probability.

TensorFlow 1's dropout took keep_prob; PyTorch's nn.Dropout takes the
probability of dropping. Dropout(0.9) after every hidden layer zeroes nine
units in ten and scales the rest tenfold, so the training loss barely
moves from where it started, even on a handful of examples.
(Fix: nn.Dropout(0.1).)
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
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.9),
                          nn.Linear(128, 128), nn.ReLU(), nn.Dropout(0.9),      # <- keep_prob=0.9 meant
                          nn.Linear(128, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": loader(xt, yt, batch_size=32),
        "val_data": loader(xv, yv, batch_size=128, shuffle=False),
    }
