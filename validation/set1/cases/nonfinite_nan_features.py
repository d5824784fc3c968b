# Breast cancer features with missing measurements left as NaN (read from a CSV with blanks),
# standardised with nan-aware statistics but never imputed.  The loss is NaN from the first batch.
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_breast_cancer


def target(seed=0):
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    X, y = load_breast_cancer(return_X_y=True)
    X = X.copy()
    X[rng.rand(*X.shape) < 0.02] = np.nan          # ~2% missing cells
    X = (X - np.nanmean(X, 0)) / np.nanstd(X, 0)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).unsqueeze(1))
    model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 1))
    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(ds, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "binary",
    }
