import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

ACCUM_STEPS = 8


class Accumulator:
    def __init__(self, every):
        self.every = every
        self.calls = 0

    def __call__(self, model, batch, optimizer, loss_fn):
        x, y = batch
        loss = loss_fn(model(x), y)
        loss.backward()
        self.calls += 1
        if self.calls % self.every == 0:
            optimizer.step()
            optimizer.zero_grad()
        return loss.detach()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).view(-1, 1)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:360], y[:360]), batch_size=8, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[360:], y[360:]), batch_size=100),
        "train_step": Accumulator(ACCUM_STEPS),
        "task": "regression",
    }
