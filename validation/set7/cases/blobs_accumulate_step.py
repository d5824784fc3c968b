import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

ACCUM = 4


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    x, y = batch
    optimizer.zero_grad()
    running = 0.0
    for xb, yb in zip(x.chunk(ACCUM), y.chunk(ACCUM)):
        loss = loss_fn(model(xb), yb) / ACCUM
        loss.backward()
        running += loss.item()
    optimizer.step()
    return running


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2560, n_features=20, n_informative=12, n_classes=5,
                               n_clusters_per_class=1, class_sep=1.2, random_state=seed + 7)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 5))
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:2048], y[:2048]), batch_size=128, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[2048:], y[2048:]), batch_size=512),
        "train_step": train_step,
        "task": "classification",
    }
