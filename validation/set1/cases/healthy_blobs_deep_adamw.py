# make_blobs with 5 overlapping classes, 5-hidden-layer ReLU MLP (default init), AdamW. Nothing wrong.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_blobs
from sklearn.preprocessing import StandardScaler


def mlp(sizes):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_blobs(n_samples=2500, n_features=10, centers=5, cluster_std=2.5, random_state=seed)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = mlp([10, 128, 128, 64, 64, 32, 5])
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3),
        "train_data": DataLoader(ds, batch_size=128, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
