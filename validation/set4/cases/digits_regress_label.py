# Handwritten digit recognition. The net predicts the digit as a number and
# I round it at inference time.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x).squeeze(1)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X = (X - X.mean(0)) / (X.std(0) + 1e-6)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed)
    T = lambda a: torch.tensor(a, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    mse = nn.MSELoss()
    return {
        "model": DigitNet(),
        "loss_fn": lambda pred, label: mse(pred, label.float()),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(T(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(T(Xva), torch.tensor(yva)), batch_size=256),
        "task": "classification",
    }
