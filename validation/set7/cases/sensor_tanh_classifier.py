import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2000, n_features=16, n_informative=10, n_redundant=2,
                               n_classes=4, n_clusters_per_class=1, class_sep=1.5, random_state=seed)
    rng = np.random.RandomState(seed)
    scale = 10 ** rng.uniform(2, 4, size=16)
    offset = rng.uniform(500, 5000, size=16)
    X = X * scale + offset
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    model = nn.Sequential(
        nn.Linear(16, 64), nn.Tanh(),
        nn.Linear(64, 64), nn.Tanh(),
        nn.Linear(64, 4),
    )
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=400),
        "task": "classification",
    }
