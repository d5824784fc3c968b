# 12 noisy samples of a smooth 1-D function, fitted with a 3x256 MLP and Adam; the net chases
# the noise: train MSE keeps falling, validation MSE bottoms out early then rises.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make(n, g):
    x = torch.rand(n, 1, generator=g) * 4 - 2
    y = torch.sin(1.5 * x) + 0.4 * torch.randn(n, 1, generator=g)
    return x, y


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    Xtr, ytr = make(12, g)
    Xva, yva = make(400, g)
    model = nn.Sequential(nn.Linear(1, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train_data": DataLoader(TensorDataset(Xtr, ytr), batch_size=4, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(Xva, yva), batch_size=400),
        "task": "regression",
    }
