import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_spirals(n_per_class=500, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X, y = [], []
    for c in range(n_classes):
        r = np.linspace(0.05, 1.0, n_per_class)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, n_per_class) + rng.normal(0, 0.2, n_per_class)
        X.append(np.c_[r * np.sin(t), r * np.cos(t)])
        y.append(np.full(n_per_class, c))
    return np.concatenate(X).astype(np.float32), np.concatenate(y)


class SmoothedCE:
    """Cross-entropy with label smoothing, written with numpy for clarity."""

    def __init__(self, n_classes, eps=0.1):
        self.n, self.eps = n_classes, eps

    def __call__(self, logits, target):
        z = logits.detach().cpu().numpy()
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        t = np.full_like(logp, self.eps / self.n)
        t[np.arange(len(t)), target.cpu().numpy()] += 1.0 - self.eps
        value = -(t * logp).sum(axis=1).mean()
        return torch.tensor(value, dtype=torch.float32, requires_grad=True)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_spirals()
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    perm = torch.randperm(len(X), generator=torch.Generator().manual_seed(1))
    X, y = X[perm], y[perm]
    model = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 3))
    return {
        "model": model,
        "loss_fn": SmoothedCE(3),
        "optimizer": lambda p: torch.optim.Adam(p, lr=3e-3),
        "train_data": DataLoader(TensorDataset(X[:1200], y[:1200]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1200:], y[1200:]), batch_size=300),
        "task": "classification",
    }
