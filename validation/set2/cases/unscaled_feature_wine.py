"""Raw wine features fed straight in: proline is ~300-1700 while hue is ~1. SGD with a normal lr."""
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)  # no scaling
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    tr, va = torch.utils.data.random_split(ds, [140, 38], generator=torch.Generator().manual_seed(seed))
    model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 3))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-3, momentum=0.9),
        "train_data": DataLoader(tr, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=64),
    }
