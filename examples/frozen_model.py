"""Parameters not updated: every layer frozen "to fine-tune", then nothing unfrozen.

requires_grad=False on all parameters leaves nothing to learn; the optimizer
factory keeps only trainable ones. (Fix: unfreeze the head, or the layers you
mean to train.)
"""
import torch
from sklearn.datasets import load_wine
from torch import nn

from loss_advisor.examples._data import loader, split, standardise


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_wine(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    x_tr, x_va = standardise(x_tr, x_va)
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
    for p in model.parameters():
        p.requires_grad = False
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD([p for p in params if p.requires_grad] or
                                                    [torch.zeros(1, requires_grad=True)], lr=0.1),
        "train_data": loader(x_tr, y_tr, batch_size=16),
        "val_data": loader(x_va, y_va, batch_size=64, shuffle=False),
    }
