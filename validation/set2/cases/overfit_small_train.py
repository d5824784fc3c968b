"""80 training rows, 40 features of which 3 informative, a 2x512 MLP, no regularisation:
train loss goes to ~0 while validation loss climbs."""
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=1080, n_features=40, n_informative=3, n_redundant=0,
                               flip_y=0.1, class_sep=1.5, random_state=seed)
    X = (X - X[:80].mean(0)) / X[:80].std(0)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    model = nn.Sequential(nn.Linear(40, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:80], y[:80]), batch_size=16, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[80:], y[80:]), batch_size=500),
    }
