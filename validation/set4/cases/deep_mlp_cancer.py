# Ten hidden layers of ReLU, default PyTorch initialisation, Adam.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class DeepMLP(nn.Module):
    def __init__(self, d_in, width=64, n_hidden=10, n_out=2):
        super().__init__()
        blocks = []
        for i in range(n_hidden):
            blocks += [nn.Linear(d_in if i == 0 else width, width), nn.ReLU()]
        self.body = nn.Sequential(*blocks)
        self.head = nn.Linear(width, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_tr)
    def loader(X_, y_, **kw):
        return DataLoader(TensorDataset(torch.tensor(scaler.transform(X_), dtype=torch.float32),
                                        torch.tensor(y_, dtype=torch.long)), **kw)
    g = torch.Generator().manual_seed(seed)
    return {
        "model": DeepMLP(30),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda ps: torch.optim.Adam(ps, lr=1e-3),
        "train_data": loader(X_tr, y_tr, batch_size=32, shuffle=True, generator=g),
        "val_data": loader(X_va, y_va, batch_size=128),
        "task": "classification",
    }
