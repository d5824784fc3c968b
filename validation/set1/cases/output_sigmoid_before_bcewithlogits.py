# Binary moons classifier whose forward() ends in torch.sigmoid, trained with BCEWithLogitsLoss
# (which applies the sigmoid again).  The loss cannot go below ~0.31 and learning is sluggish.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_moons


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return torch.sigmoid(self.net(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=1000, noise=0.1, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).unsqueeze(1))
    return {
        "model": Classifier(),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": DataLoader(ds, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "binary",
    }
