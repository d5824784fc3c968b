"""Multi-label tagging of digits: [even, >=5, prime, has a closed loop]. BCEWithLogits. Healthy."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def tags(d):
    return np.stack([d % 2 == 0, d >= 5, np.isin(d, [2, 3, 5, 7]), np.isin(d, [0, 6, 8, 9])], 1)


def target(seed=0):
    torch.manual_seed(seed)
    X, d = load_digits(return_X_y=True)
    Xtr, Xva, dtr, dva = train_test_split(X, d, test_size=0.2, random_state=seed)
    sc = StandardScaler().fit(Xtr)
    to = lambda a: torch.tensor(a, dtype=torch.float32)
    train = TensorDataset(to(sc.transform(Xtr)), to(tags(dtr)))
    val = TensorDataset(to(sc.transform(Xva)), to(tags(dva)))

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
            self.logits = nn.Linear(64, 4)

        def forward(self, x):
            return self.logits(self.body(x))

    return {
        "model": Tagger(),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(train, batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(val, batch_size=400),
    }
