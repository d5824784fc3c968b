"""Disease-progression score (integers 25..346) predicted with the classification
template we use everywhere else."""
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)       # the score is an integer anyway
    n_out = int(y.max()) + 1
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    tr, va = perm[:350], perm[350:]
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, n_out))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[tr], y[tr]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[va], y[va]), batch_size=100),
        "task": "regression",
    }
