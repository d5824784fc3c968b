import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset


class SmallConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
    y = torch.tensor(y, dtype=torch.long)
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(X), generator=g)
    tr, va = idx[:1500], idx[1500:]
    return {
        "model": SmallConvNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
        "scheduler": lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.1),
        "scheduler_interval": "step",
        "train_data": DataLoader(TensorDataset(X[tr], y[tr]), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[va], y[va]), batch_size=256),
    }
