"""Price regression; rows come from a database query (ORDER BY price) and are fed in that order."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


def load_rows(seed):
    X, price = make_friedman1(n_samples=2000, noise=0.5, random_state=seed)
    order = np.argsort(price)                       # SELECT ... ORDER BY price
    return X[order], price[order]


def target(seed=0):
    torch.manual_seed(seed)
    X, price = load_rows(seed)
    rng = np.random.RandomState(seed)
    is_val = rng.rand(len(price)) < 0.2
    sc = StandardScaler().fit(X[~is_val])
    mu, sd = price[~is_val].mean(), price[~is_val].std()
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    train = TensorDataset(f(sc.transform(X[~is_val])), f((price[~is_val] - mu) / sd))
    val = TensorDataset(f(sc.transform(X[is_val])), f((price[is_val] - mu) / sd))
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1), nn.Flatten(0))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": DataLoader(train, batch_size=32),
        "val_data": DataLoader(val, batch_size=400),
        "task": "regression",
    }
