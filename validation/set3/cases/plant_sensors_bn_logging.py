"""Fault classifier on raw plant-sensor readings (K, Pa, rpm, ...). A BatchNorm layer up front
takes care of feature scaling. train_step also logs the batch accuracy of the updated weights."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from torch.utils.data import TensorDataset, DataLoader

history = {"loss": [], "acc": []}


def train_step(model, batch, optimizer, loss_fn):
    x, y = batch
    optimizer.zero_grad()
    logits = model(x)
    loss = loss_fn(logits, y)
    loss.backward()
    optimizer.step()

    # accuracy of the updated weights, without dropout noise
    model.eval()
    with torch.no_grad():
        acc = (model(x).argmax(1) == y).float().mean().item()
    history["loss"].append(loss.item())
    history["acc"].append(acc)
    return loss


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2000, n_features=8, n_informative=5, n_classes=3,
                               random_state=seed)
    #            temp[K] pressure[Pa] rpm    flow   vib   current voltage humidity
    offset = np.array([300.0, 101325.0, 1500.0, 40.0, 0.0, 12.0, 230.0, 45.0])
    scale = np.array([2.0, 300.0, 50.0, 5.0, 0.01, 1.5, 3.0, 8.0])
    X = X * scale + offset
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(
        nn.BatchNorm1d(8),
        nn.Linear(8, 64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 3),
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(f(X[:1600]), torch.tensor(y[:1600])), batch_size=32,
                                 shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(f(X[1600:]), torch.tensor(y[1600:])), batch_size=400),
        "train_step": train_step,
        "task": "classification",
    }
