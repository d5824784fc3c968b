# Moons classifier: deep but narrow ReLU stack (parameter budget for an MCU).
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_moons


class Bottleneck(nn.Module):
    def __init__(self, width=3, depth=12):
        super().__init__()
        layers = [nn.Linear(2, width), nn.ReLU()]
        for _ in range(depth):
            layers += [nn.Linear(width, width), nn.ReLU()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(width, 2)

    def forward(self, x):
        return self.classifier(self.features(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=2000, noise=0.1, random_state=seed)
    X = torch.tensor(X, dtype=torch.float32)
    X = (X - X.mean(0)) / X.std(0)
    y = torch.tensor(y)
    g = torch.Generator().manual_seed(seed)
    return {
        "model": Bottleneck(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=400),
        "task": "classification",
    }
