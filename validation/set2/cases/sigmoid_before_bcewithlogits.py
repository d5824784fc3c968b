"""Binary breast-cancer model whose forward ends in torch.sigmoid, trained with BCEWithLogitsLoss
(sigmoid applied twice): the loss cannot go below ~0.31 and barely moves."""
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


class TumourNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return torch.sigmoid(self.body(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(y), generator=g)
    X, y = X[idx], y[idx]
    return {
        "model": TumourNet(),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:450], y[:450]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[450:], y[450:]), batch_size=200),
        "task": "binary",
    }
