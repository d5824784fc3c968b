"""Conv1d classifier of noisy waveforms (sine / square / sawtooth). Healthy."""
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def waveforms(n, length, g):
    t = torch.linspace(0, 1, length)
    kind = torch.randint(0, 3, (n,), generator=g)
    freq = 2 + 6 * torch.rand(n, 1, generator=g)
    phase = 2 * math.pi * torch.rand(n, 1, generator=g)
    arg = 2 * math.pi * freq * t + phase
    sine = torch.sin(arg)
    square = torch.sign(sine)
    saw = 2 * ((arg / (2 * math.pi)) % 1.0) - 1
    x = torch.stack([sine, square, saw], 1)[torch.arange(n), kind]
    x = x + 0.3 * torch.randn(n, length, generator=g)
    return x.unsqueeze(1), kind


class WaveNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, kernel_size=7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, kernel_size=5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
        )
        self.head = nn.Linear(32, 3)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x, y = waveforms(1500, 128, g)
    return {
        "model": WaveNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=2e-3),
        "train_data": DataLoader(TensorDataset(x[:1200], y[:1200]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(x[1200:], y[1200:]), batch_size=300),
    }
