"""Fraud-detection-like data: 2% positives. Loss drops fast to a small value, but only because
the model predicts "not fraud" for everything; the minority class is never learned."""
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=3000, n_features=16, n_informative=4, n_redundant=2,
                               weights=[0.98, 0.02], class_sep=0.6, flip_y=0.0, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:2400], y[:2400]), batch_size=128, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[2400:], y[2400:]), batch_size=600),
    }
