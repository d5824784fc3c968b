"""Healthy: a tiny pre-LN transformer encoder on padded token sequences,
with the key-padding mask True at padding (as PyTorch expects), AdamW, and
a linear warmup into a cosine decay stepped after every optimizer step
over ten passes over the data."""
import torch
from torch import nn

from loss_advisor.examples._modern import TinyTransformer, sequences, warmup_cosine

EPOCHS = 10


def target(seed: int = 0):
    torch.manual_seed(seed)
    train, val = sequences(seed)
    total = EPOCHS * len(train)
    return {
        "model": TinyTransformer(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=0.01),
        "train_data": train,
        "val_data": val,
        "scheduler": lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(total // 20, total)),
        "scheduler_interval": "step",
    }
