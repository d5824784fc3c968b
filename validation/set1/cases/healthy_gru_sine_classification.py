# Synthetic sequences: noisy sine waves of 3 different frequencies, classify the frequency with a GRU.
import math
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_data(n, g, T=30):
    y = torch.randint(0, 3, (n,), generator=g)
    freq = torch.tensor([0.1, 0.25, 0.4])[y]
    phase = torch.rand(n, generator=g) * 2 * math.pi
    t = torch.arange(T).float()
    x = torch.sin(2 * math.pi * freq[:, None] * t[None, :] + phase[:, None])
    x = x + 0.3 * torch.randn(n, T, generator=g)
    return x.unsqueeze(-1), y


class GRUClassifier(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 3)

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(h[-1])


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    Xtr, ytr = make_data(1200, g)
    Xva, yva = make_data(300, g)
    return {
        "model": GRUClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train_data": DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(Xva, yva), batch_size=100),
        "task": "classification",
    }
