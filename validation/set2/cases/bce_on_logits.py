"""Multi-label tagging that feeds raw logits into nn.BCELoss (meant BCEWithLogitsLoss):
BCELoss refuses inputs outside [0, 1] and the first step raises."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, d = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    T = np.stack([d % 2 == 0, d >= 5, np.isin(d, [0, 6, 8, 9])], 1).astype(np.float32)
    X = torch.tensor(X, dtype=torch.float32)
    T = torch.tensor(T)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))  # logits
    return {
        "model": model,
        "loss_fn": nn.BCELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1400], T[:1400]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1400:], T[1400:]), batch_size=400),
    }
