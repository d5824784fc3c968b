# Features come straight from numpy (float64) via torch.from_numpy and are never cast to float32.
# The float32 model raises "mat1 and mat2 must have the same dtype" on the first batch.
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)              # float64 ndarray
    ds = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(ds, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
