"""Healthy: bfloat16 autocast for the forward pass, parameters and the
optimizer in float32, no GradScaler (bfloat16 has float32's exponent
range, so gradients neither underflow nor overflow)."""
import torch
from torch import nn

from loss_advisor.examples._modern import digits, mlp


def train_step(model, batch, optimizer, loss_fn):
    inputs, targets = batch
    model.train()
    optimizer.zero_grad()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed: int = 0):
    torch.manual_seed(seed)
    train, val = digits(seed)
    return {
        "model": mlp(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3),
        "train_data": train,
        "val_data": val,
        "train_step": train_step,
    }
