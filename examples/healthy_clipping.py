"""Healthy: gradient clipping at max_norm=1.0 with SGD, which cuts only the
occasional spike (the digits MLP's gradient norm is mostly below 1)."""
import torch
from torch import nn

from loss_advisor.examples._modern import digits, mlp


def train_step(model, batch, optimizer, loss_fn):
    inputs, targets = batch
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
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
