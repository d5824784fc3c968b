import torch
import torch.nn as nn
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, Dataset


class HouseDataset(Dataset):
    def __init__(self, X, y):
        self.X = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=2000, n_features=12, n_informative=8, noise=5.0, random_state=seed)
    price = 250_000 + 40_000 * (y / y.std())
    X = StandardScaler().fit_transform(X)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(HouseDataset(X[:1600], price[:1600]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(HouseDataset(X[1600:], price[1600:]), batch_size=200),
        "task": "regression",
    }
