import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


class TumourNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.f(x).squeeze(1)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    mk = lambda a, b: TensorDataset(torch.tensor(sc.transform(a), dtype=torch.float32), torch.tensor(b, dtype=torch.float32))
    return {
        "model": TumourNet(),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=3e-3, weight_decay=0.05),
        "train_data": DataLoader(mk(Xtr, ytr), batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(mk(Xva, yva), batch_size=128),
        "task": "binary",
    }
