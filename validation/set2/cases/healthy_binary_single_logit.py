"""Binary classification with one logit and BCEWithLogitsLoss (float targets shaped like the output). Healthy."""
import torch
import torch.nn as nn
from sklearn.datasets import make_circles
from torch.utils.data import DataLoader, TensorDataset


class RingDetector(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 32)
        self.fc2 = nn.Linear(32, 32)
        self.logit = nn.Linear(32, 1)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.logit(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_circles(n_samples=1200, noise=0.08, factor=0.5, random_state=seed)
    X = torch.tensor(X / X.std(0), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    return {
        "model": RingDetector(),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=5e-3),
        "train_data": DataLoader(TensorDataset(X[:1000], y[:1000]), batch_size=50, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1000:], y[1000:]), batch_size=200),
        "task": "binary",
    }
