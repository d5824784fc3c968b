"""Predict event counts; counts are skewed so we regress on log(count)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    rng = np.random.RandomState(seed)
    torch.manual_seed(seed)
    X = rng.randn(1500, 6).astype(np.float32)
    rate = np.exp(0.8 * X[:, 0] - 0.5 * X[:, 1] + 0.3 * X[:, 2] + 0.5)
    counts = rng.poisson(rate)
    y = np.log(counts).astype(np.float32)     # skewed target -> log scale
    X_t = torch.from_numpy(X)
    y_t = torch.from_numpy(y)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1), nn.Flatten(0))
    return {
        "model": model,
        "loss_fn": lambda pred, tgt: F.mse_loss(pred, tgt),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X_t[:1200], y_t[:1200]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X_t[1200:], y_t[1200:]), batch_size=300),
        "task": "regression",
    }
