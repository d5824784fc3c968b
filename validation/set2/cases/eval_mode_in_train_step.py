"""The train_step calls model.eval() (copied from the validation loop) before the forward pass.
The model relies on BatchNorm to normalise raw breast-cancer features; in eval mode BatchNorm
uses its initial running stats (mean 0, var 1), so nothing is normalised and training stalls."""
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from torch.utils.data import DataLoader, TensorDataset


class BNClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.BatchNorm1d(30)  # "BatchNorm does the scaling for me"
        self.mlp = nn.Sequential(nn.Linear(30, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
                                 nn.Linear(64, 2))

    def forward(self, x):
        return self.mlp(self.norm(x))


def train_step(model, batch, optimizer, loss_fn):
    model.eval()
    x, y = batch
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(y), generator=g)
    X, y = X[idx], y[idx]
    return {
        "model": BNClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:450], y[:450]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[450:], y[450:]), batch_size=200),
        "train_step": train_step,
    }
