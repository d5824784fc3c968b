"""Malignancy probability model. Output layer is a sigmoid so the model emits
probabilities; loss is the numerically stable BCE variant."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class MalignancyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return torch.sigmoid(self.fc(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
    scaler = StandardScaler().fit(X_train)
    def ds(a, b):
        return TensorDataset(torch.tensor(scaler.transform(a), dtype=torch.float32),
                             torch.tensor(b, dtype=torch.float32).unsqueeze(1))
    g = torch.Generator().manual_seed(seed)
    return {
        "model": MalignancyModel(),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(ds(X_train, y_train), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(ds(X_val, y_val), batch_size=128),
        "task": "binary",
    }
