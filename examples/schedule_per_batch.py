"""A per-epoch scheduler stepped every batch: StepLR(step_size=10, gamma=0.1),
meant as "a tenth of the rate every 10 epochs", is stepped after every
optimizer step, so the rate falls a hundredfold within the first 20
batches of the first epoch and the loss stops falling. (Fix:
scheduler_interval="epoch", i.e. scheduler.step() once per epoch.)
"""
import torch
from torch import nn

from loss_advisor.examples._modern import digits, mlp


def target(seed: int = 0):
    torch.manual_seed(seed)
    train, val = digits(seed, batch_size=16)
    return {
        "model": mlp(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "train_data": train,
        "val_data": val,
        "scheduler": lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.1),
        "scheduler_interval": "step",
    }
