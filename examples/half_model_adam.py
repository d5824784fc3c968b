"""A model cast to float16 with Adam's default eps=1e-8: eps rounds to 0 in
float16, and so do squared gradients below about 2e-4, so Adam divides
by zero and the weights turn into NaN. (Fix: keep the parameters in
float32 and use autocast for the forward pass; or eps=1e-4 if the
parameters must stay in half precision.)
"""
import torch
from torch import nn

from loss_advisor.examples._modern import digits, mlp


def target(seed: int = 0):
    torch.manual_seed(seed)
    train, val = digits(seed, dtype=torch.float16)
    return {
        "model": mlp().half(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": train,
        "val_data": val,
    }
