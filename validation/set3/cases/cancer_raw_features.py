"""Breast cancer MLP straight from the sklearn arrays."""
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    torch.manual_seed(seed)
    data = load_breast_cancer()
    X_tr, X_va, y_tr, y_va = train_test_split(data.data, data.target, test_size=0.2,
                                              random_state=seed, stratify=data.target)
    train = TensorDataset(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr))
    val = TensorDataset(torch.tensor(X_va, dtype=torch.float32), torch.tensor(y_va))
    model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-3, momentum=0.9),
        "train_data": DataLoader(train, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(val, batch_size=128),
        "task": "classification",
    }
