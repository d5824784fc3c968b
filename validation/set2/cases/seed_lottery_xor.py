"""XOR-like four-blob problem with a minimal 2-unit hidden layer: whether training solves it
depends on the initial weights. Some seeds reach ~0 loss, others stall at a bad local minimum.
(The user reports "it works on my laptop but not in CI".)"""
import torch
import torch.nn as nn
from sklearn.datasets import make_blobs
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    centers = [[-2, -2], [2, 2], [-2, 2], [2, -2]]
    X, c = make_blobs(n_samples=1000, centers=centers, cluster_std=0.5, random_state=seed)
    y = (c >= 2).astype(int)  # XOR of the quadrant signs
    X = torch.tensor(X / 2.0, dtype=torch.float32)
    y = torch.tensor(y)
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": DataLoader(TensorDataset(X[:800], y[:800]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[800:], y[800:]), batch_size=200),
    }
