"""Residual MLP with LayerNorm blocks, trained with NAdam."""
import torch
from torch import nn
from sklearn.datasets import make_classification
from torch.utils.data import TensorDataset, DataLoader, random_split


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class ResMLP(nn.Module):
    def __init__(self, n_in, n_classes, dim=48, depth=2):
        super().__init__()
        self.stem = nn.Linear(n_in, dim)
        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)

    def forward(self, x):
        h = self.stem(x)
        for blk in self.blocks:
            h = blk(h)
        return self.head(self.norm(h))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=3000, n_features=24, n_informative=12, n_redundant=4,
                               n_classes=4, n_clusters_per_class=1, class_sep=1.2, random_state=seed)
    X = torch.tensor(X, dtype=torch.float32)
    X = (X - X.mean(0)) / X.std(0)
    ds = TensorDataset(X, torch.tensor(y, dtype=torch.long))
    train_ds, val_ds = random_split(ds, [2400, 600], generator=torch.Generator().manual_seed(seed))
    return {
        "model": ResMLP(24, 4),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.NAdam(params, lr=1e-3, weight_decay=1e-4),
        "train_data": DataLoader(train_ds, batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(val_ds, batch_size=600),
        "task": "classification",
    }
