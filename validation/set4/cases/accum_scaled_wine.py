# Gradient accumulation: 4 micro-batches per optimizer step, loss divided by 4.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

MICRO = 4


def train_step(model, batch, optimizer, loss_fn):
    inputs, labels = batch
    model.train()
    optimizer.zero_grad()
    running = 0.0
    for xs, ys in zip(torch.chunk(inputs, MICRO), torch.chunk(labels, MICRO)):
        loss = loss_fn(model(xs), ys) / MICRO
        loss.backward()
        running += loss.item()
    optimizer.step()
    return running


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    sc = StandardScaler().fit(Xa)
    g = torch.Generator().manual_seed(seed)
    to_ds = lambda a, b: TensorDataset(torch.tensor(sc.transform(a), dtype=torch.float32), torch.tensor(b))
    model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 3))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=2e-3, weight_decay=1e-2),
        "train_data": DataLoader(to_ds(Xa, ya), batch_size=32, shuffle=True, generator=g, drop_last=True),
        "val_data": DataLoader(to_ds(Xb, yb), batch_size=64),
        "train_step": train_step,
        "task": "classification",
    }
