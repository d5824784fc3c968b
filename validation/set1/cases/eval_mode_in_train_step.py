# The user's train_step starts with model.eval() (copied from the validation loop, meant to be
# model.train()).  Dropout is off and BatchNorm never updates its running stats, normalising with
# the initial mean 0 / var 1, so the raw 0..255 pixels it was supposed to normalise flow straight through.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def train_step(model, batch, optimizer, loss_fn):
    model.eval()            # BUG: should be model.train()
    x, y = batch
    optimizer.zero_grad()
    out = model(x)
    loss = loss_fn(out, y)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X * 16.0, dtype=torch.float32)   # 0..255 "pixels"; relies on the input BatchNorm to scale
    y = torch.tensor(y)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed)
    model = nn.Sequential(
        nn.BatchNorm1d(64),
        nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10),
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "train_data": DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(Xva, yva), batch_size=256),
        "task": "classification",
        "train_step": train_step,
    }
