import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=3000, n_features=32, n_informative=20, n_classes=4,
                               n_clusters_per_class=1, class_sep=2.0, random_state=seed)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    layers = [nn.Linear(32, 96), nn.ReLU()]
    for _ in range(8):
        layers += [nn.Linear(96, 96), nn.ReLU()]
    layers.append(nn.Linear(96, 4))
    model = nn.Sequential(*layers)
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:2600], y[:2600]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[2600:], y[2600:]), batch_size=400),
        "task": "classification",
    }
