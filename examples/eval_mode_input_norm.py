"""Eval mode during training, where it stalls the loss: the model normalises
its raw inputs with a BatchNorm1d layer, and the step calls model.eval()
(copied from the validation loop) and never model.train().

In eval mode BatchNorm divides by its running statistics, which start at
mean 0 and variance 1 and are never updated, so it normalises nothing:
the breast-cancer features reach the first Linear layer in their raw
units (cell areas in the thousands next to smoothness values around 0.1)
and the loss swings instead of falling. (Fix: model.train() at the start
of the step; the BatchNorm then standardises each batch as intended.)
"""
import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

from loss_advisor.examples._data import loader, split


def train_step(model, batch, optimizer, loss_fn):
    inputs, targets = batch
    model.eval()
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_breast_cancer(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    model = nn.Sequential(nn.BatchNorm1d(30), nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": loader(np.asarray(x_tr), y_tr),
        "val_data": loader(np.asarray(x_va), y_va, batch_size=256, shuffle=False),
        "train_step": train_step,
    }
