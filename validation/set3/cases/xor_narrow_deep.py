"""XOR-style quadrant problem with a compact 3-hidden-layer net (has to fit on a microcontroller)."""
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader


def make_xor(n, gen):
    X = torch.rand(n, 2, generator=gen) * 2 - 1
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).long()
    return X, y


def target(seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    X, y = make_xor(1000, gen)
    X = (X - X.mean(0)) / X.std(0)
    model = nn.Sequential(
        nn.Linear(2, 4), nn.ReLU(),
        nn.Linear(4, 4), nn.ReLU(),
        nn.Linear(4, 4), nn.ReLU(),
        nn.Linear(4, 2),
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:800], y[:800]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[800:], y[800:]), batch_size=200),
        "task": "classification",
    }
