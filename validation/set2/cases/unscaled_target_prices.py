"""House-price-like regression: features standardised, but the target is raw money (~50k-400k). MSE in the 1e10s."""
import torch
import torch.nn as nn
from sklearn.datasets import make_regression
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_regression(n_samples=1200, n_features=12, n_informative=8, noise=10.0, random_state=seed)
    price = 200_000 + 600 * y  # dollars
    X = (X - X.mean(0)) / X.std(0)
    X = torch.tensor(X, dtype=torch.float32)
    price = torch.tensor(price, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1000], price[:1000]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1000:], price[1000:]), batch_size=200),
        "task": "regression",
    }
