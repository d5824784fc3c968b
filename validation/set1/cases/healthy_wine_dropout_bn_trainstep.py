# Wine, MLP with BatchNorm + Dropout, user's own train_step that does everything right
# (model.train(), zero_grad, forward, backward, step).
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    x, y = batch
    optimizer.zero_grad()
    out = model(x)
    loss = loss_fn(out, y)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    tr = TensorDataset(f(sc.transform(Xtr)), torch.tensor(ytr))
    va = TensorDataset(f(sc.transform(Xva)), torch.tensor(yva))
    model = nn.Sequential(
        nn.Linear(13, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, 3),
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        # drop_last so BatchNorm never sees a batch of 1
        "train_data": DataLoader(tr, batch_size=16, shuffle=True, drop_last=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=64),
        "task": "classification",
        "train_step": train_step,
    }
