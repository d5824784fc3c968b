"""Digits sorted by class (as they came out of a per-class folder walk) and shuffle=False:
each run of batches is a single class, the model chases the current class and forgets the rest."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    idx = rng.permutation(len(y))
    tr, va = idx[:1400], idx[1400:]
    tr = tr[np.argsort(y[tr], kind="stable")]  # class folders 0/, 1/, ... 9/
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(f(X[tr]), torch.tensor(y[tr])), batch_size=16, shuffle=False),
        "val_data": DataLoader(TensorDataset(f(X[va]), torch.tensor(y[va])), batch_size=400),
    }
