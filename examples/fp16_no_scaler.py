"""float16 autocast without a GradScaler: the mean squared error over 64 x
1024 fine-scale outputs gives gradients near 1e-8, below float16's
smallest step (about 6e-8), so about half the gradient values are rounded
to zero and those weights never move; the loss ends well above what the
same run reaches in float32. (Fix: torch.amp.GradScaler: scaler.scale(loss)
.backward(), scaler.step(optimizer), scaler.update(); or bfloat16.)
"""
import torch
from torch import nn

from loss_advisor.examples._modern import fine_regression, fine_regression_model


def train_step(model, batch, optimizer, loss_fn):
    inputs, targets = batch
    model.train()
    optimizer.zero_grad()
    with torch.autocast("cpu", dtype=torch.float16):
        loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed: int = 0):
    torch.manual_seed(seed)
    train, val = fine_regression(seed)
    return {
        "model": fine_regression_model(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-4),
        "train_data": train,
        "val_data": val,
        "task": "regression",
        "train_step": train_step,
    }
