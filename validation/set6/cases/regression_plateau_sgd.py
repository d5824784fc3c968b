import torch
import torch.nn as nn
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

PLATEAU_MODE = "max"


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=1500, n_features=12, n_informative=8, noise=5.0, random_state=seed)
    y = y + 0.02 * y ** 2 / y.std()
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(12, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.005),
        "scheduler": lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=PLATEAU_MODE, factor=0.1, patience=0),
        "scheduler_interval": "epoch",
        "train_data": DataLoader(TensorDataset(X[:1200], y[:1200]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1200:], y[1200:]), batch_size=300),
        "task": "regression",
    }
