"""make_circles with a 'deep' network."""
import torch
import torch.nn as nn
from sklearn.datasets import make_circles
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_circles(n_samples=1200, noise=0.05, factor=0.5, random_state=seed)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    model = nn.Sequential(
        nn.Linear(2, 64),
        nn.Linear(64, 64),
        nn.Linear(64, 64),
        nn.Linear(64, 2),
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1000], y[:1000]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1000:], y[1000:]), batch_size=200),
        "task": "classification",
    }
