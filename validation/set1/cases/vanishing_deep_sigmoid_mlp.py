# 12-layer MLP with sigmoid activations everywhere (old-tutorial style), plain SGD.  The gradient that
# reaches the early layers is orders of magnitude smaller than at the top; the loss sits near ln(10).
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    layers = [nn.Linear(64, 64), nn.Sigmoid()]
    for _ in range(10):
        layers += [nn.Linear(64, 64), nn.Sigmoid()]
    layers += [nn.Linear(64, 10)]
    return {
        "model": nn.Sequential(*layers),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.1),
        "train_data": DataLoader(ds, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
