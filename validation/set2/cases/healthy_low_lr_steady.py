"""Plain SGD with a learning rate on the low side: the loss falls slowly but steadily.

Nothing is broken; it just needs more steps (actually_decreasing).
"""
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=10, n_classes=4,
                               n_clusters_per_class=1, class_sep=1.5, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 4))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01),
        "train_data": DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=400),
    }
