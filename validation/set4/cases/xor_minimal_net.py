"""XOR-style 4-cluster problem with the smallest net that can solve it
(2 hidden ReLU units), to keep the decision boundary easy to plot."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def xor_blobs(n, gen):
    centers = torch.tensor([[-1., -1.], [1., 1.], [-1., 1.], [1., -1.]])
    labels = torch.tensor([0, 0, 1, 1])
    k = torch.randint(0, 4, (n,), generator=gen)
    X = centers[k] + 0.25 * torch.randn(n, 2, generator=gen)
    return X, labels[k].float()


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 2)
        self.out = nn.Linear(2, 1)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x))).squeeze(-1)


def target(seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    X, y = xor_blobs(1200, gen)
    return {
        "model": TinyNet(),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-2),
        "train_data": DataLoader(TensorDataset(X[:1000], y[:1000]), batch_size=50, shuffle=True, generator=gen),
        "val_data": DataLoader(TensorDataset(X[1000:], y[1000:]), batch_size=200),
        "task": "binary",
    }
