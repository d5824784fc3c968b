# Logistic regression (a single Linear layer) on make_circles: the classes are concentric rings,
# not linearly separable.  Loss sits at ~0.69 no matter how long it trains.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_circles


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_circles(n_samples=1000, noise=0.05, factor=0.5, random_state=seed)
    Xva, yva = make_circles(n_samples=300, noise=0.05, factor=0.5, random_state=seed + 1)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return {
        "model": nn.Linear(2, 1),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": DataLoader(TensorDataset(f(X), f(y).unsqueeze(1)), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(f(Xva), f(yva).unsqueeze(1)), batch_size=300),
        "task": "binary",
    }
