"""A deep (10 blocks) residual MLP with LayerNorm on concentric circles: deep but well conditioned. Healthy."""
import torch
import torch.nn as nn
from sklearn.datasets import make_circles
from torch.utils.data import DataLoader, TensorDataset


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, d))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class DeepResMLP(nn.Module):
    def __init__(self, d=32, depth=10):
        super().__init__()
        self.inp = nn.Linear(2, d)
        self.blocks = nn.Sequential(*[Block(d) for _ in range(depth)])
        self.out = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 2))

    def forward(self, x):
        return self.out(self.blocks(self.inp(x)))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_circles(n_samples=2200, noise=0.08, factor=0.5, random_state=seed)
    X = torch.tensor(X / X.std(0), dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": DeepResMLP(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        "train_data": DataLoader(TensorDataset(X[:2000], y[:2000]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[2000:], y[2000:]), batch_size=200),
    }
