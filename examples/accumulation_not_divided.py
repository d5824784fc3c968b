"""Gradient accumulation without dividing the loss: eight micro-batches add
their gradients into each SGD step, and the loss is not divided by 8, so
every update is eight times what the learning rate says. (Fix:
(loss / ACCUMULATE).backward().)
"""
import torch
from torch import nn

from loss_advisor.examples._modern import digits, mlp

ACCUMULATE = 8


def make_train_step():
    calls = [0]

    def train_step(model, batch, optimizer, loss_fn):
        inputs, targets = batch
        model.train()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        calls[0] += 1
        if calls[0] % ACCUMULATE == 0:
            optimizer.step()
            optimizer.zero_grad()
        return loss.item()

    return train_step


def target(seed: int = 0):
    torch.manual_seed(seed)
    train, val = digits(seed, batch_size=16)
    return {
        "model": mlp(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
        "train_data": train,
        "val_data": val,
        "train_step": make_train_step(),
    }
