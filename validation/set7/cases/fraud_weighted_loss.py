import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=3000, n_features=16, n_informative=8, n_classes=2,
                               weights=[0.92, 0.08], class_sep=1.5, random_state=seed)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    ytr = y[:2600]
    counts = torch.bincount(ytr, minlength=2).float()
    weights = counts.sum() / (2 * counts)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 2))
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(weight=weights),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:2600], ytr), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[2600:], y[2600:]), batch_size=500),
        "task": "classification",
    }
