"""Diabetes progression regression.

Features come from two exports merged on patient id; a few patients had no
lab results in the second export, so those columns came out empty after the
merge.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_diabetes


def load_table(seed):
    rng = np.random.RandomState(seed)
    data = load_diabetes()
    X = data.data.astype(np.float32)          # already mean-centred and scaled by sklearn
    y = data.target.astype(np.float32)
    y = (y - y.mean()) / y.std()
    # the lab columns (s1..s6) for patients missing from the second export
    missing = rng.rand(len(X)) < 0.04
    X[np.ix_(missing, np.arange(4, 10))] = np.nan
    return X, y


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_table(seed)
    X, y = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(X), generator=g)
    tr, va = perm[:350], perm[350:]
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=3e-3),
        "train_data": DataLoader(TensorDataset(X[tr], y[tr]), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[va], y[va]), batch_size=128),
        "task": "regression",
    }
