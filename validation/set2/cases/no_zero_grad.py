"""Custom loop that never calls optimizer.zero_grad(): gradients accumulate across steps, so the
effective step keeps growing; the loss first falls, then turns round and climbs."""
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    x, y = batch
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-3, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:1400], y[:1400]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1400:], y[1400:]), batch_size=400),
        "train_step": train_step,
    }
