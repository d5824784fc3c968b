"""Digits MLP, Adam with lr=0.05 ("bigger is faster"): the loss jumps around and stalls far above where it should be."""
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU())
        self.cls = nn.Linear(128, 10)

    def forward(self, x):
        return self.cls(self.hidden(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    tr, va = torch.utils.data.random_split(ds, [1500, 297], generator=torch.Generator().manual_seed(seed))
    return {
        "model": DigitNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=0.05),
        "train_data": DataLoader(tr, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=300),
    }
