"""Fraud detector on transaction features."""
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


class FraudNet(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, x):
        return self.net(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=4, n_redundant=2,
                               weights=[0.97, 0.03], class_sep=0.8, flip_y=0.0, random_state=seed)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    sc = StandardScaler().fit(X_tr)
    tr = TensorDataset(torch.tensor(sc.transform(X_tr), dtype=torch.float32), torch.tensor(y_tr))
    va = TensorDataset(torch.tensor(sc.transform(X_va), dtype=torch.float32), torch.tensor(y_va))
    return {
        "model": FraudNet(20),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(tr, batch_size=128, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=900),
        "task": "classification",
    }
