# make_moons, 3-layer MLP, SGD with momentum 0.9 at lr 0.05, batch 32. Nothing wrong.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_moons


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=1000, noise=0.15, random_state=seed)
    mu, sd = X.mean(0), X.std(0)
    X = (X - mu) / sd
    Xva, yva = make_moons(n_samples=300, noise=0.15, random_state=seed + 100)
    Xva = (Xva - mu) / sd
    tr = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    va = TensorDataset(torch.tensor(Xva, dtype=torch.float32), torch.tensor(yva))
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "train_data": DataLoader(tr, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=300),
    }
