"""Diabetes progression regression with RMSprop; loss is a small wrapper around F.mse_loss."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


def loss_fn(pred, target):
    return F.mse_loss(pred.squeeze(-1), target)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=seed)
    xs = StandardScaler().fit(X_tr)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    train = TensorDataset(f(xs.transform(X_tr)), f((y_tr - y_mu) / y_sd))
    val = TensorDataset(f(xs.transform(X_va)), f((y_va - y_mu) / y_sd))
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    return {
        "model": model,
        "loss_fn": loss_fn,
        "optimizer": lambda params: torch.optim.RMSprop(params, lr=1e-3),
        "train_data": DataLoader(train, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(val, batch_size=100),
        "task": "regression",
    }
