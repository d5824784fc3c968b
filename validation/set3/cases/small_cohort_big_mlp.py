"""Small cohort (80 patients, 100 measurements each), large MLP trained for many epochs."""
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=480, n_features=100, n_informative=5, n_redundant=5,
                               flip_y=0.1, class_sep=1.0, random_state=seed)
    X = torch.tensor(X, dtype=torch.float32)
    X = (X - X[:80].mean(0)) / X[:80].std(0)
    y = torch.tensor(y, dtype=torch.long)
    model = nn.Sequential(
        nn.Linear(100, 512), nn.ReLU(),
        nn.Linear(512, 512), nn.ReLU(),
        nn.Linear(512, 2),
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:80], y[:80]), batch_size=16, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[80:], y[80:]), batch_size=400),
        "task": "classification",
    }
