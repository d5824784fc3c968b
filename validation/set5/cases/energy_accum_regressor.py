import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler

MICRO_BATCHES = 8


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    x, y = batch
    optimizer.zero_grad()
    total = 0.0
    for xs, ys in zip(x.chunk(MICRO_BATCHES), y.chunk(MICRO_BATCHES)):
        loss = loss_fn(model(xs), ys)
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total / MICRO_BATCHES


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=2000, n_features=16, n_informative=10, noise=10.0, random_state=8)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=128, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=400),
        "train_step": train_step,
        "task": "regression",
    }
