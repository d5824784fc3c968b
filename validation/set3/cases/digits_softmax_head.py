"""Digits classifier that outputs probabilities so the predictions are easy to read."""
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader, random_split


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    ds = TensorDataset(X, torch.tensor(y))
    train_ds, val_ds = random_split(ds, [0.8, 0.2], generator=torch.Generator().manual_seed(seed))
    model = nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(),
        nn.Linear(128, 10),
        nn.Softmax(dim=1),
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(train_ds, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(val_ds, batch_size=512),
        "task": "classification",
    }
