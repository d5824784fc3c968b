import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(30, 256), nn.GELU(), nn.Linear(256, 256), nn.GELU(), nn.Linear(256, 2))

    def forward(self, x):
        return self.body(x.to(self.body[0].weight.dtype)).float()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(X), generator=g)
    tr, va = idx[:450], idx[450:]
    model = Net().to(torch.bfloat16)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=3e-5, weight_decay=0.0),
        "train_data": DataLoader(TensorDataset(X[tr], y[tr]), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[va], y[va]), batch_size=128),
        "task": "classification",
    }
