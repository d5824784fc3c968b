"""Digits MLP, dataset split with torch random_split, SGD with Nesterov momentum."""
import torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader, random_split
from sklearn.datasets import load_digits


def target(seed=0):
    torch.manual_seed(seed)
    data = load_digits()
    X = torch.tensor(data.data, dtype=torch.float32) / 16.0
    X = X - X.mean(dim=0)
    y = torch.tensor(data.target, dtype=torch.long)
    full = TensorDataset(X, y)
    n_val = len(full) // 5
    train_set, val_set = random_split(full, [len(full) - n_val, n_val],
                                      generator=torch.Generator().manual_seed(seed))
    model = nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )
    return dict(
        model=model,
        loss_fn=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True),
        train_data=DataLoader(train_set, batch_size=64, shuffle=True,
                              generator=torch.Generator().manual_seed(seed)),
        val_data=DataLoader(val_set, batch_size=512),
        task="classification",
    )
