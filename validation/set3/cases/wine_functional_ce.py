"""Wine classifier; loss written as a lambda around F.cross_entropy."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
    X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
    y_tr = torch.tensor(y_tr, dtype=torch.long)
    y_va = torch.tensor(y_va, dtype=torch.long)

    model = nn.Sequential(
        nn.Linear(13, 32),
        nn.ReLU(),
        nn.Linear(32, 3),
    )
    g = torch.Generator().manual_seed(seed)
    train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=16, shuffle=True, generator=g)
    val_loader = DataLoader(TensorDataset(X_va, y_va), batch_size=64)
    return {
        "model": model,
        "loss_fn": lambda logits, labels: F.cross_entropy(logits, labels),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": train_loader,
        "val_data": val_loader,
        "task": "classification",
    }
