import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.mlp(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_friedman1(n_samples=2000, n_features=10, noise=0.3, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    return {
        "model": Net(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=2e-3),
        "scheduler": lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=2),
        "scheduler_interval": "epoch",
        "train_data": DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=400),
        "task": "regression",
    }
