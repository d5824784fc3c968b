# MSELoss(reduction="sum") with batch 256 and an SGD rate picked from a tutorial that used the mean.
# The gradient is 256x larger than intended, so the updates overshoot and the loss explodes.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_regression


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=2048, n_features=16, n_informative=10, noise=10.0, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).view(-1, 1))
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(reduction="sum"),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01),
        "train_data": DataLoader(ds, batch_size=256, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "regression",
    }
