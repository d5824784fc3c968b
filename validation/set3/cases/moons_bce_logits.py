"""Binary moons with F.binary_cross_entropy_with_logits and SGD + Nesterov momentum."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons
from torch.utils.data import TensorDataset, DataLoader


def bce_loss(logits, targets):
    return F.binary_cross_entropy_with_logits(logits, targets)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=1200, noise=0.2, random_state=seed)
    X = torch.from_numpy(X).float()
    X = (X - X.mean(0)) / X.std(0)
    y = torch.from_numpy(y).float().unsqueeze(1)
    net = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
    g = torch.Generator().manual_seed(seed)
    return {
        "model": net,
        "loss_fn": bce_loss,
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True),
        "train_data": DataLoader(TensorDataset(X[:1000], y[:1000]), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[1000:], y[1000:]), batch_size=200),
        "task": "binary",
    }
