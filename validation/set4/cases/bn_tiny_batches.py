# Wine classifier with BatchNorm between layers.
# Using very small batches: more updates per epoch on a tiny dataset.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class BNNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.block1 = nn.Sequential(nn.Linear(13, 64), nn.BatchNorm1d(64), nn.ReLU())
        self.block2 = nn.Sequential(nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU())
        self.fc = nn.Linear(64, 3)

    def forward(self, x):
        return self.fc(self.block2(self.block1(x)))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    sc = StandardScaler().fit(Xa)
    Xa, Xb = sc.transform(Xa), sc.transform(Xb)
    g = torch.Generator().manual_seed(seed)
    train = DataLoader(TensorDataset(torch.tensor(Xa, dtype=torch.float32), torch.tensor(ya)),
                       batch_size=2, shuffle=True, generator=g, drop_last=True)
    val = DataLoader(TensorDataset(torch.tensor(Xb, dtype=torch.float32), torch.tensor(yb)), batch_size=64)
    return {
        "model": BNNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "train_data": train,
        "val_data": val,
        "task": "classification",
    }
