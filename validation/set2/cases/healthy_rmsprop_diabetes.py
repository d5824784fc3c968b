"""Diabetes progression regression, X and y standardised, RMSprop. Healthy (noisy target, loss floors ~0.5)."""
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed)
    mx, sx, my, sy = Xtr.mean(0), Xtr.std(0), ytr.mean(), ytr.std()
    fx = lambda a: torch.tensor((a - mx) / sx, dtype=torch.float32)
    fy = lambda a: torch.tensor((a - my) / sy, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.RMSprop(params, lr=1e-3, weight_decay=1e-3),
        "train_data": DataLoader(TensorDataset(fx(Xtr), fy(ytr)), batch_size=32, shuffle=True, drop_last=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(fx(Xva), fy(yva)), batch_size=100),
        "task": "regression",
    }
