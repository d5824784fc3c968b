"""Digits from an export that is grouped by class (all 0s, then all 1s, ...).
Kept in file order so epochs are reproducible."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset, DataLoader
from sklearn.datasets import load_digits


class DigitsExport(Dataset):
    def __init__(self, X, y):
        order = np.argsort(y, kind="stable")   # the export is grouped by label
        self.X = torch.tensor(X[order], dtype=torch.float32)
        self.y = torch.tensor(y[order], dtype=torch.long)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    rng = np.random.RandomState(seed)
    perm = rng.permutation(len(y))
    tr, va = perm[:1500], perm[1500:]
    mu, sd = X[tr].mean(0), X[tr].std(0) + 1e-3
    Xn = (X - mu) / sd
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "train_data": DataLoader(DigitsExport(Xn[tr], y[tr]), batch_size=50, shuffle=False),
        "val_data": DataLoader(DigitsExport(Xn[va], y[va]), batch_size=300),
        "task": "classification",
    }
