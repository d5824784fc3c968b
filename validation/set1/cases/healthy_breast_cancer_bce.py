# Breast cancer binary, standardised, MLP with one logit, BCEWithLogitsLoss, AdamW. Nothing wrong.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    tr = TensorDataset(f(sc.transform(Xtr)), f(ytr).unsqueeze(1))
    va = TensorDataset(f(sc.transform(Xva)), f(yva).unsqueeze(1))
    model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1))
    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-2),
        "train_data": DataLoader(tr, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=64),
        "task": "binary",
    }
