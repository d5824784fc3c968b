# Regression where the features come in wildly different units (1e-3 ... 1e3), not standardised.
# Adam lr=1e-3, target standardised.  Trains, but slowly and poorly compared with scaled inputs.  Moderate.
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_regression


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=1500, n_features=6, n_informative=6, noise=5.0, random_state=seed)
    scales = np.array([1e-3, 1e-2, 1.0, 50.0, 500.0, 2000.0])
    X = X * scales + np.array([0.0, 0.0, 0.0, 200.0, 3000.0, 10000.0])   # e.g. mm, km, counts, prices
    y = (y - y.mean()) / y.std()
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).unsqueeze(1))
    model = nn.Sequential(nn.Linear(6, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(ds, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "regression",
    }
