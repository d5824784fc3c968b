# Linear model on make_regression data (standardised X and y), RMSprop lr 1e-2. Nothing wrong.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_regression


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=1000, n_features=8, n_informative=6, noise=10.0, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).view(-1, 1))
    return {
        "model": nn.Linear(8, 1),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.RMSprop(params, lr=1e-2),
        "train_data": DataLoader(ds, batch_size=50, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "regression",
    }
