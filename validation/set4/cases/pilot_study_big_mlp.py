"""Pilot study: 80 labelled samples with 40 measured variables.
Big network so it has enough capacity to find whatever signal there is."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=1080, n_features=40, n_informative=4, n_redundant=2,
                               flip_y=0.1, class_sep=0.7, random_state=seed)
    sc = StandardScaler().fit(X[:80])
    X = torch.tensor(sc.transform(X), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    X_tr, y_tr = X[:80], y[:80]      # the labelled pilot
    X_va, y_va = X[80:], y[80:]      # the later cohort
    model = nn.Sequential(
        nn.Linear(40, 512), nn.ReLU(),
        nn.Linear(512, 256), nn.ReLU(),
        nn.Linear(256, 2),
    )
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X_tr, y_tr), batch_size=16, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X_va, y_va), batch_size=500),
        "task": "classification",
    }
