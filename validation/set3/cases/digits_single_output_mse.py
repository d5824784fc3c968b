"""Digit recogniser: the network outputs the digit directly, trained with MSE."""
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import TensorDataset, DataLoader


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        return self.out(self.hidden(x)).squeeze(-1)

    @torch.no_grad()
    def predict(self, x):
        return self.forward(x).round().clamp(0, 9).long()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X / 16.0, y, test_size=0.2, random_state=seed)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return {
        "model": DigitNet(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(f(X_tr), f(y_tr)), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(f(X_va), f(y_va)), batch_size=360),
        "task": "classification",
    }
