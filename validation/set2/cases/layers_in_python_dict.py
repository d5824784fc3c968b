"""The hidden layers are stored in a plain Python dict, so nn.Module never registers them:
model.parameters() only yields the output layer, the hidden layers stay at their random init
and the loss plateaus high (a random-feature model)."""
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from torch.utils.data import DataLoader, TensorDataset


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = {
            "enc1": nn.Linear(2, 8),
            "enc2": nn.Linear(8, 8),
        }
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        x = torch.tanh(self.layers["enc1"](x))
        x = torch.tanh(self.layers["enc2"](x))
        return self.head(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=1200, noise=0.1, random_state=seed)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": Encoder(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": DataLoader(TensorDataset(X[:1000], y[:1000]), batch_size=50, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1000:], y[1000:]), batch_size=200),
    }
