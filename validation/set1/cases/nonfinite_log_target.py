# Regression on log(price): a handful of rows have price 0, so log gives -inf in the targets.
# Inputs are fine; the loss becomes inf/NaN on the batches that contain those rows.
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_regression


def target(seed=0):
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    X, y = make_regression(n_samples=1200, n_features=10, n_informative=8, noise=5.0, random_state=seed)
    price = np.exp((y - y.mean()) / y.std())            # positive "prices"
    price[rng.choice(len(price), 6, replace=False)] = 0.0  # a few free items / data-entry zeros
    X = (X - X.mean(0)) / X.std(0)
    with np.errstate(divide="ignore"):
        log_price = np.log(price)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(log_price, dtype=torch.float32).unsqueeze(1))
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(ds, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "regression",
    }
