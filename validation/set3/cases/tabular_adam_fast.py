"""4-class tabular model; raised the Adam learning rate so it converges in fewer epochs."""
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


class DeepClassifier(nn.Module):
    def __init__(self, n_in=20, width=128, depth=3, n_out=4):
        super().__init__()
        layers, d = [], n_in
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.ReLU()]
            d = width
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=10, n_classes=4,
                               random_state=seed)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": DeepClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=0.1),
        "train_data": DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=400),
        "task": "classification",
    }
