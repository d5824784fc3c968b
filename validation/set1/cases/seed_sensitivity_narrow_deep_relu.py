# Very narrow ReLU MLP (3 hidden layers of 3 units) on make_moons, no normalisation layers.
# The outcome depends on the draw of the initial weights: with the same data and hyper-parameters some
# seeds reach a low loss, some stall half-way and some never leave ln(2) (units dead or collapsed).
# The user's "it worked yesterday" runs are not reproducible.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_moons


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=1000, noise=0.1, random_state=0)   # same data every run
    X = (X - X.mean(0)) / X.std(0)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.ReLU(),
                          nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": DataLoader(ds, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
