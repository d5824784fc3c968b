"""Configurable-depth MLP: hidden sizes come from a config list."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

CONFIG = {"hidden": [128, 128, 64], "n_classes": 10, "lr": 1e-3, "batch_size": 64}


class ConfigurableMLP(nn.Module):
    def __init__(self, n_in, hidden, n_classes):
        super().__init__()
        self.hidden_layers = []
        prev = n_in
        for h in hidden:
            self.hidden_layers.append(nn.Linear(prev, h))
            prev = h
        self.output = nn.Linear(prev, n_classes)

    def forward(self, x):
        for layer in self.hidden_layers:
            x = F.relu(layer(x))
        return self.output(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    g = torch.Generator().manual_seed(seed)
    mk = lambda a, b: TensorDataset(torch.tensor(sc.transform(a), dtype=torch.float32), torch.tensor(b))
    model = ConfigurableMLP(64, CONFIG["hidden"], CONFIG["n_classes"])
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=CONFIG["lr"]),
        "train_data": DataLoader(mk(Xtr, ytr), batch_size=CONFIG["batch_size"], shuffle=True, generator=g),
        "val_data": DataLoader(mk(Xva, yva), batch_size=256),
        "task": "classification",
    }
