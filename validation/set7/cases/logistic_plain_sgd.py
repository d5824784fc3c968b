import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=10, n_classes=2,
                               class_sep=1.0, flip_y=0.02, random_state=seed)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(20, 32), nn.Tanh(), nn.Linear(32, 1))
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.01),
        "train_data": DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=400),
        "task": "binary",
    }
