import torch
import torch.nn as nn
from sklearn.datasets import make_regression
from torch.utils.data import DataLoader, Dataset


class Rows(Dataset):
    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return {"features": self.X[i], "target": self.y[i]}


def split_batch(batch):
    return batch["features"], batch["target"]


def target(seed=0):
    torch.manual_seed(seed)
    X, y, coef = make_regression(n_samples=2000, n_features=8, n_informative=8, noise=60.0,
                                 coef=True, random_state=seed)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    mu, sd = y[:1600].mean(), y[:1600].std()
    y = torch.tensor((y - mu) / sd, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=3e-3),
        "train_data": DataLoader(Rows(X[:1600], y[:1600]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(Rows(X[1600:], y[1600:]), batch_size=400),
        "split_batch": split_batch,
        "task": "regression",
    }
