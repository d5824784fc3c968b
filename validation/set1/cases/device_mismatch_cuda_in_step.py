# Script written on a GPU box: the training step moves each batch to "cuda" but the model was never
# moved (and this machine may have no GPU at all).  Fails on the first step.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

device = "cuda"


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    x, y = batch
    x, y = x.to(device), y.to(device)
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": DataLoader(ds, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
        "train_step": train_step,
    }
