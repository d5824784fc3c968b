"""Regression on make_friedman1 with a small custom MLP; targets standardised."""
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from torch.utils.data import TensorDataset, DataLoader


class Regressor(nn.Module):
    def __init__(self, n_in=10, width=64):
        super().__init__()
        self.fc1 = nn.Linear(n_in, width)
        self.fc2 = nn.Linear(width, width)
        self.out = nn.Linear(width, 1)
        self.act = nn.SiLU()

    def features(self, x):
        return self.act(self.fc2(self.act(self.fc1(x))))

    def forward(self, x):
        return self.out(self.features(x)).squeeze(-1)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_friedman1(n_samples=1500, n_features=10, noise=0.5, random_state=seed)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32)
    X_tr, X_va, y_tr, y_va = X[:1200], X[1200:], y[:1200], y[1200:]
    x_mean, x_std = X_tr.mean(0), X_tr.std(0)
    y_mean, y_std = y_tr.mean(), y_tr.std()
    X_tr, X_va = (X_tr - x_mean) / x_std, (X_va - x_mean) / x_std
    y_tr, y_va = (y_tr - y_mean) / y_std, (y_va - y_mean) / y_std
    g = torch.Generator().manual_seed(seed)
    return dict(
        model=Regressor(),
        loss_fn=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        train_data=DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True, generator=g),
        val_data=DataLoader(TensorDataset(X_va, y_va), batch_size=300),
        task="regression",
    )
