"""Logistic regression on breast cancer with vanilla SGD (lr=0.01, no
momentum). Deliberately plain, as a baseline for the paper's table."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
    s = StandardScaler().fit(Xtr)
    mk = lambda a, b: TensorDataset(torch.tensor(s.transform(a), dtype=torch.float32),
                                    torch.tensor(b, dtype=torch.float32).unsqueeze(1))
    g = torch.Generator().manual_seed(seed)
    return {
        "model": nn.Linear(30, 1),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.01),
        "train_data": DataLoader(mk(Xtr, ytr), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(mk(Xva, yva), batch_size=128),
        "task": "binary",
    }
