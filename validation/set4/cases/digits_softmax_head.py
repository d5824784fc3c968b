"""Digits classifier; the model returns class probabilities so that
predict() output can be used directly downstream."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


class Classifier(nn.Module):
    def __init__(self, n_in=64, n_hidden=96, n_classes=10):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU(),
                                    nn.Linear(n_hidden, n_hidden), nn.ReLU())
        self.head = nn.Linear(n_hidden, n_classes)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.softmax(self.head(self.hidden(x)))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(X), generator=g).numpy()
    X, y = X[perm], y[perm]
    sc = StandardScaler().fit(X[:1500])
    X = torch.tensor(sc.transform(X), dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": Classifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:1500], y[:1500]), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[1500:], y[1500:]), batch_size=300),
        "task": "classification",
    }
