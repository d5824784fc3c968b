"""Tabular classifier over 'sensor' columns recorded in their native units
(some in mV, some in kPa, one in Hz ...)."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    rng = np.random.RandomState(seed)
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2000, n_features=12, n_informative=6, n_classes=3,
                               random_state=seed)
    units = 10.0 ** np.array([-2, -1, 0, 0, 1, 2, 3, 3, 4, 1, -2, 2])   # "native units"
    offsets = np.array([0, 5, 0, 100, 0, 2e3, 0, 1e4, 5e4, 0, 0, 300])
    X = X * units + offsets
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    idx = torch.from_numpy(rng.permutation(2000))
    tr, va = idx[:1600], idx[1600:]
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[tr], y[tr]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[va], y[va]), batch_size=400),
        "task": "classification",
    }
