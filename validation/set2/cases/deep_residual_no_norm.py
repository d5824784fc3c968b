"""8 residual blocks x = x + f(x) without any normalisation and with He-initialised branches:
the residual stream's scale doubles block after block, gradients are enormous and the loss explodes."""
import torch
import torch.nn as nn
from sklearn.datasets import make_regression
from torch.utils.data import DataLoader, TensorDataset


class ResBlock(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(d, d), nn.Linear(d, d)
        for fc in (self.fc1, self.fc2):
            nn.init.kaiming_normal_(fc.weight, nonlinearity="relu")

    def forward(self, x):
        return x + self.fc2(torch.relu(self.fc1(x)))


class DeepResNet(nn.Module):
    def __init__(self, d_in=8, d=32, depth=8):
        super().__init__()
        self.stem = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[ResBlock(d) for _ in range(depth)])
        self.head = nn.Linear(d, 1)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=1200, n_features=8, noise=5.0, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    return {
        "model": DeepResNet(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1000], y[:1000]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1000:], y[1000:]), batch_size=200),
        "task": "regression",
    }
