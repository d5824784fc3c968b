"""Digits with a configurable stack of hidden blocks."""
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


class StackedNet(nn.Module):
    def __init__(self, sizes=(64, 32, 8), n_classes=10):
        super().__init__()
        self.blocks = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            self.blocks.append(nn.Sequential(nn.Linear(a, b), nn.ReLU()))
        self.classifier = nn.Linear(sizes[-1], n_classes)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.classifier(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    tr, va = perm[:1400], perm[1400:]
    return {
        "model": StackedNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[tr], y[tr]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[va], y[va]), batch_size=400),
        "task": "classification",
    }
