import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    order = y.argsort(kind="stable")
    X, y = X[order], y[order]
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y)
    val_idx = torch.arange(0, len(y), 5)
    train_idx = torch.tensor([i for i in range(len(y)) if i % 5])
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[train_idx], y[train_idx]), batch_size=32, shuffle=False),
        "val_data": DataLoader(TensorDataset(X[val_idx], y[val_idx]), batch_size=400),
        "task": "classification",
    }
