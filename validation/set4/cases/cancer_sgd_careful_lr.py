"""Breast cancer (benign/malignant) with a two-layer net.

I keep the learning rate very conservative because I had NaNs on another
project and don't want to risk it here.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(30, 32)
        self.fc2 = nn.Linear(32, 1)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def _bce(logits, y):
    return F.binary_cross_entropy_with_logits(logits.squeeze(-1), y)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.25, random_state=seed)
    scaler = StandardScaler()
    Xa = scaler.fit_transform(Xa)
    Xb = scaler.transform(Xb)
    tr = TensorDataset(torch.tensor(Xa).float(), torch.tensor(ya).float())
    va = TensorDataset(torch.tensor(Xb).float(), torch.tensor(yb).float())
    gen = torch.Generator()
    gen.manual_seed(seed)
    return {
        "model": Net(),
        "loss_fn": _bce,
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-6, momentum=0.0),
        "train_data": DataLoader(tr, batch_size=32, shuffle=True, generator=gen),
        "val_data": DataLoader(va, batch_size=128),
        "task": "binary",
    }
