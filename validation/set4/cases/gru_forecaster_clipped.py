# GRU one-step-ahead forecaster on generated noisy sine mixtures.
# clip_grad_norm_(1.0) in the step, Adam.
import math
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_windows(n, T, gen):
    t = torch.arange(T + 1, dtype=torch.float32)
    f1 = 0.05 + 0.15 * torch.rand(n, 1, generator=gen)
    f2 = 0.05 + 0.15 * torch.rand(n, 1, generator=gen)
    ph = 2 * math.pi * torch.rand(n, 2, generator=gen)
    s = torch.sin(f1 * t + ph[:, :1]) + 0.5 * torch.sin(f2 * t + ph[:, 1:])
    s = s + 0.05 * torch.randn(s.shape, generator=gen)
    return s[:, :-1].unsqueeze(-1), s[:, -1:]


class Forecaster(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.gru = nn.GRU(1, hidden, num_layers=2, batch_first=True)
        self.proj = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.proj(out[:, -1])


def train_step(model, batch, optimizer, loss_fn):
    x, y = batch
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x, y = make_windows(2400, 40, gen)
    return {
        "model": Forecaster(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=3e-3),
        "train_data": DataLoader(TensorDataset(x[:2000], y[:2000]), batch_size=64, shuffle=True, generator=gen),
        "val_data": DataLoader(TensorDataset(x[2000:], y[2000:]), batch_size=400),
        "train_step": train_step,
        "task": "regression",
    }
