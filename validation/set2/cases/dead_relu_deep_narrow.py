"""A deep, narrow ReLU stack (10 layers of 3 units) on two-moons: with so few units per layer,
some layer ends up with every unit inactive for every input, the network output is constant and
no gradient reaches anything below it; the loss sits at ln 2 exactly."""
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from torch.utils.data import DataLoader, TensorDataset


class DeepNarrow(nn.Module):
    def __init__(self, width=3, depth=10):
        super().__init__()
        layers = [nn.Linear(2, width), nn.ReLU()]
        for _ in range(depth - 1):
            layers += [nn.Linear(width, width), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, 2)

    def forward(self, x):
        return self.head(self.body(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=1000, noise=0.1, random_state=seed)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": DeepNarrow(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train_data": DataLoader(TensorDataset(X[:800], y[:800]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[800:], y[800:]), batch_size=200),
    }
