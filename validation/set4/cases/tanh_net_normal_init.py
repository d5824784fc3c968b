# 7-layer tanh MLP on the digits data. I initialise all weights from a standard
# normal myself rather than relying on framework defaults.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


class TanhMLP(nn.Module):
    def __init__(self, sizes=(64, 128, 128, 128, 128, 128, 128, 10)):
        super().__init__()
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.reset_weights()

    def reset_weights(self):
        for lin in self.linears:
            nn.init.normal_(lin.weight, mean=0.0, std=1.0)
            nn.init.zeros_(lin.bias)

    def forward(self, x):
        for lin in self.linears[:-1]:
            x = torch.tanh(lin(x))
        return self.linears[-1](x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(y), generator=g).numpy()
    X, y = X[perm], y[perm]
    sc = StandardScaler().fit(X[:1400])
    X = torch.tensor(sc.transform(X), dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": TanhMLP(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:1400], y[:1400]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[1400:], y[1400:]), batch_size=400),
        "task": "classification",
    }
