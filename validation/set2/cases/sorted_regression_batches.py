"""Regression data sorted by target (e.g. rows exported ORDER BY price) and pre-cut into a fixed
list of batches: every batch covers a narrow target range, the loss saw-tooths over each epoch."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_regression


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=1280, n_features=8, n_informative=5, noise=8.0, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    order = np.argsort(y)
    X, y = X[order], y[order]
    rng = np.random.default_rng(seed)
    va = rng.choice(len(y), 256, replace=False)
    tr = np.setdiff1d(np.arange(len(y)), va)  # still sorted
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    batches = [(Xt[tr[i:i + 32]], yt[tr[i:i + 32]]) for i in range(0, len(tr), 32)]
    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": batches,
        "val_data": [(Xt[va], yt[va])],
        "task": "regression",
    }
