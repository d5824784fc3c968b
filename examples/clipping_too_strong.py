"""Gradient clipping far below the gradient's norm: clip_grad_norm_ with
max_norm=0.01, where the digits MLP's gradient norm is around 1, cuts
every SGD step to about a hundredth of its size, and the loss hardly
moves. (Fix: max_norm=1.0, which cuts only the spikes.)
"""
import torch
from torch import nn

from loss_advisor.examples._modern import digits, mlp

MAX_NORM = 0.01


def train_step(model, batch, optimizer, loss_fn):
    inputs, targets = batch
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM)
    optimizer.step()
    return loss.item()


def target(seed: int = 0):
    torch.manual_seed(seed)
    train, val = digits(seed)
    return {
        "model": mlp(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
        "train_data": train,
        "val_data": val,
        "train_step": train_step,
    }
