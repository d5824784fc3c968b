"""Missing zero_grad under Adam: the step never clears the gradients.

With Adam the accumulated gradient is normalised, so nothing explodes; the
update direction is the running sum of every gradient so far, which soon
points the same way whatever the batch. The model drifts to one constant
prediction and the inputs seem not to matter. (Fix: optimizer.zero_grad()
at the start of every step.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


def train_step(model, batch, optimizer, loss_fn):
    inputs, targets = batch
    model.train()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    return {
        "model": nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
        "train_step": train_step,
    }
