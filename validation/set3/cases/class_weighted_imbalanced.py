"""Imbalanced (85/15) binary problem handled properly: class-weighted CrossEntropyLoss, stratified split."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=3000, n_features=16, n_informative=8, weights=[0.85, 0.15],
                               class_sep=1.2, flip_y=0.0, random_state=seed)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    sc = StandardScaler().fit(X_tr)
    counts = np.bincount(y_tr)
    class_weight = torch.tensor(len(y_tr) / (2.0 * counts), dtype=torch.float32)

    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 2))
    train_ds = TensorDataset(torch.tensor(sc.transform(X_tr), dtype=torch.float32), torch.tensor(y_tr))
    val_ds = TensorDataset(torch.tensor(sc.transform(X_va), dtype=torch.float32), torch.tensor(y_va))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(weight=class_weight),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        "train_data": DataLoader(train_ds, batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(val_ds, batch_size=750),
        "task": "classification",
    }
