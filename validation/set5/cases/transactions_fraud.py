import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler


class Transactions(Dataset):
    def __init__(self, X, y):
        self.X = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "is_fraud": self.y[i]}


class FraudNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, features):
        return self.mlp(features).squeeze(-1)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=4, n_redundant=2,
                               weights=[0.97, 0.03], class_sep=1.0, flip_y=0.0, random_state=11)
    X = StandardScaler().fit_transform(X)
    return {
        "model": FraudNet(),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(Transactions(X[:2400], y[:2400]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(Transactions(X[2400:], y[2400:]), batch_size=600),
        "split_batch": lambda b: ({"features": b["features"]}, b["is_fraud"]),
        "task": "binary",
    }
