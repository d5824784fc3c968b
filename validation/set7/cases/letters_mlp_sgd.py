import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2500, n_features=24, n_informative=16, n_classes=8,
                               n_clusters_per_class=2, class_sep=1.5, random_state=seed)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    model = nn.Sequential(
        nn.Linear(24, 256), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(256, 8),
    )
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.05),
        "train_data": DataLoader(TensorDataset(X[:2000], y[:2000]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[2000:], y[2000:]), batch_size=500),
        "task": "classification",
    }
