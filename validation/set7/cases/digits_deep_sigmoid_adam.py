import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def _data(seed):
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(X), generator=g)
    X = torch.tensor(X, dtype=torch.float32)[idx]
    y = torch.tensor(y, dtype=torch.long)[idx]
    return (X[:1400], y[:1400]), (X[1400:], y[1400:])


def target(seed=0):
    torch.manual_seed(seed)
    (Xtr, ytr), (Xva, yva) = _data(seed)
    layers = []
    width = [64, 128, 128, 128, 128, 128, 128, 10]
    for i in range(len(width) - 1):
        layers.append(nn.Linear(width[i], width[i + 1]))
        if i < len(width) - 2:
            layers.append(nn.Sigmoid())
    model = nn.Sequential(*layers)
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.01)
            nn.init.zeros_(m.bias)
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(Xva, yva), batch_size=256),
        "task": "classification",
    }
