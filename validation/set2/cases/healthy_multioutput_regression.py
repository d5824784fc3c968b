"""Three-target regression on make_friedman1 features; X and Y standardised. Healthy."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y1 = make_friedman1(n_samples=1500, n_features=8, noise=0.5, random_state=seed)
    Y = np.stack([y1, np.sin(3 * X[:, 0]) * X[:, 1], (X[:, 2] - 0.5) ** 2 + X[:, 3]], 1)
    Xtr, Xva, Ytr, Yva = train_test_split(X, Y, test_size=0.2, random_state=seed)
    xs, ys = StandardScaler().fit(Xtr), StandardScaler().fit(Ytr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    train = TensorDataset(f(xs.transform(Xtr)), f(ys.transform(Ytr)))
    val = TensorDataset(f(xs.transform(Xva)), f(ys.transform(Yva)))
    model = nn.Sequential(nn.Linear(8, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 3))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=2e-3),
        "train_data": DataLoader(train, batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(val, batch_size=300),
        "task": "regression",
    }
