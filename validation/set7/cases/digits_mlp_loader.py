import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    order = y.argsort(kind="stable")
    X = torch.tensor(X[order], dtype=torch.float32)
    y = torch.tensor(y[order], dtype=torch.long)
    val = torch.arange(len(X)) % 6 == 0
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[~val], y[~val]), batch_size=50, shuffle=False),
        "val_data": DataLoader(TensorDataset(X[val], y[val]), batch_size=300),
        "task": "classification",
    }
