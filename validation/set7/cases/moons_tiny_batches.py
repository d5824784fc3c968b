import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=600, noise=0.25, random_state=seed)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:480], y[:480]), batch_size=4, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[480:], y[480:]), batch_size=120),
        "task": "classification",
    }
