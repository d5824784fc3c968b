# wine cultivar classifier -- Adam, 3 hidden layers of ReLU
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler


class WineNet(nn.Module):
    def __init__(self, n_in=13, hidden=64, n_out=3):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
        )
        self.out = nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.out(self.body(x))


def target(seed=0):
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    X, y = load_wine(return_X_y=True)
    idx = rng.permutation(len(X))
    X, y = X[idx], y[idx]
    n_tr = 140
    sc = StandardScaler().fit(X[:n_tr])
    Xt = torch.tensor(sc.transform(X), dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.long)
    g = torch.Generator().manual_seed(seed)
    train = DataLoader(TensorDataset(Xt[:n_tr], yt[:n_tr]), batch_size=16, shuffle=True, generator=g)
    val = DataLoader(TensorDataset(Xt[n_tr:], yt[n_tr:]), batch_size=64)
    # the dataset is tiny, so take large steps to get through it quickly
    LR = 0.3
    return dict(
        model=WineNet(),
        loss_fn=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=LR),
        train_data=train,
        val_data=val,
        task="classification",
    )
