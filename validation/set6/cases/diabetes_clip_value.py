import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

CLIP_VALUE = 1e-4


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(10, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU())
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        return self.out(self.hidden(x)).squeeze(-1)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)

    def train_step(model, batch, optimizer, loss_fn):
        xb, yb = batch
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), CLIP_VALUE)
        optimizer.step()
        return loss

    return {
        "model": Regressor(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:350], y[:350]), batch_size=16, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[350:], y[350:]), batch_size=92),
        "train_step": train_step,
        "task": "regression",
    }
