"""Binary tumour classifier; the model returns a probability, trained with BCEWithLogitsLoss
(the forum said it is the numerically stable one)."""
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


class ProbNet(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(n_in, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return torch.sigmoid(self.layers(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
    sc = StandardScaler().fit(X_tr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    tr = TensorDataset(f(sc.transform(X_tr)), f(y_tr).unsqueeze(1))
    va = TensorDataset(f(sc.transform(X_va)), f(y_va).unsqueeze(1))
    return {
        "model": ProbNet(30),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(tr, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=128),
        "task": "binary",
    }
