"""A warmup-and-decay schedule whose total was counted in epochs: the
linear decay is told num_training_steps=EPOCHS (20) but is stepped after
every batch, so the rate reaches 0 at the 20th step of the first epoch
and nothing moves after that. (Fix: num_training_steps = EPOCHS *
len(train_loader).)
"""
import torch
from torch import nn

from loss_advisor.examples._modern import digits, mlp

EPOCHS = 20
WARMUP = 2


def linear_with_warmup(opt, warmup, total):
    """As transformers.get_linear_schedule_with_warmup."""
    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))
    return torch.optim.lr_scheduler.LambdaLR(opt, factor)


def target(seed: int = 0):
    torch.manual_seed(seed)
    train, val = digits(seed, batch_size=16)
    return {
        "model": mlp(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3),
        "train_data": train,
        "val_data": val,
        "scheduler": lambda opt: linear_with_warmup(opt, WARMUP, EPOCHS),
        "scheduler_interval": "step",
    }
