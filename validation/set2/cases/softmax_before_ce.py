"""5-class blob classifier ending in nn.Softmax, trained with CrossEntropyLoss (which applies
log-softmax itself): gradients are squashed and the loss stalls above its floor."""
import torch
import torch.nn as nn
from sklearn.datasets import make_blobs
from torch.utils.data import DataLoader, TensorDataset


class Classifier(nn.Module):
    def __init__(self, d_in=6, n_cls=5):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(d_in, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                                    nn.Linear(64, n_cls), nn.Softmax(dim=1))

    def forward(self, x):
        return self.layers(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_blobs(n_samples=1500, n_features=6, centers=5, cluster_std=2.5, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": Classifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1200], y[:1200]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1200:], y[1200:]), batch_size=300),
    }
