import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


class StackedNet(nn.Module):
    def __init__(self, d_in, hidden, n_layers, n_out):
        super().__init__()
        self.layers = [nn.Linear(d_in, hidden)]
        for _ in range(n_layers - 1):
            self.layers.append(nn.Linear(hidden, hidden))
        self.act = nn.ReLU()
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        for layer in self.layers:
            x = self.act(layer(x))
        return self.head(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2400, n_features=20, n_informative=14, n_classes=6,
                               n_clusters_per_class=2, class_sep=1.5, random_state=seed)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    g = torch.Generator().manual_seed(seed)
    return {
        "model": StackedNet(20, 64, 3, 6),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:2000], y[:2000]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[2000:], y[2000:]), batch_size=400),
        "task": "classification",
    }
