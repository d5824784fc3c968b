"""Synthetic house-price regression (prices in dollars)."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler


class HouseDataset(Dataset):
    def __init__(self, X, price):
        self.X = torch.tensor(X, dtype=torch.float32)
        self.price = torch.tensor(price, dtype=torch.float32).unsqueeze(1)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.price[i]


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=2000, n_features=12, n_informative=8, noise=5.0, random_state=seed)
    # turn the generated target into a realistic price range
    price = 350_000 + 1_000 * y
    X = StandardScaler().fit_transform(X)  # features are standardised
    n = 1600
    g = torch.Generator().manual_seed(seed)
    train = DataLoader(HouseDataset(X[:n], price[:n]), batch_size=64, shuffle=True, generator=g)
    val = DataLoader(HouseDataset(X[n:], price[n:]), batch_size=256)

    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": train,
        "val_data": val,
        "task": "regression",
    }
