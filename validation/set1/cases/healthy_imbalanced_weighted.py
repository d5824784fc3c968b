# Imbalanced 3-class problem (80/15/5) handled properly with class weights in CrossEntropyLoss.
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2000, n_features=12, n_informative=6, n_redundant=2,
                               n_classes=3, n_clusters_per_class=1, weights=[0.80, 0.15, 0.05],
                               class_sep=1.2, random_state=seed)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    counts = np.bincount(ytr, minlength=3)
    w = torch.tensor(len(ytr) / (3 * counts), dtype=torch.float32)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    tr = TensorDataset(f(sc.transform(Xtr)), torch.tensor(ytr))
    va = TensorDataset(f(sc.transform(Xva)), torch.tensor(yva))
    model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 3))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(weight=w),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        "train_data": DataLoader(tr, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=256),
        "task": "classification",
    }
