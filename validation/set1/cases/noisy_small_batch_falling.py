# Batch size 8 with SGD+momentum on a problem with some overlap: the per-step loss jumps around a lot,
# but the trend is clearly downward. Looks flat/noisy at a glance, is actually fine.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=2000, noise=0.3, random_state=seed)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": DataLoader(ds, batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
