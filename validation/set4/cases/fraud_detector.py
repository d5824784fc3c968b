# Transaction fraud detector prototype on a generated table.
# 2 classes: 0 = legit, 1 = fraud.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class FraudMLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
        self.cls = nn.Linear(32, 2)

    def forward(self, x):
        return self.cls(self.layers(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=4000, n_features=20, n_informative=6, n_redundant=4,
                               weights=[0.985, 0.015], class_sep=0.8, flip_y=0.0, random_state=seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    sc = StandardScaler().fit(X_tr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    l = lambda a: torch.tensor(a, dtype=torch.long)
    g = torch.Generator().manual_seed(seed)
    return {
        "model": FraudMLP(20),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(f(sc.transform(X_tr)), l(y_tr)), batch_size=128,
                                 shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(f(sc.transform(X_te)), l(y_te)), batch_size=512),
        "task": "classification",
    }
