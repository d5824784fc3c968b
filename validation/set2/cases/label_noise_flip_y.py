"""Binary task where 40% of labels were assigned at random (sklearn flip_y=0.8 → ~40% wrong).

The loss falls a little, then stalls near ln 2 while the model starts memorising the wrong labels.
"""
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=1500, n_features=10, n_informative=5, n_redundant=0,
                               class_sep=2.0, flip_y=0.8, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(10, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(f(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(f(Xva), torch.tensor(yva)), batch_size=300),
    }
