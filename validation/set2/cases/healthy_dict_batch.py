"""Tabular model fed by dict batches (numeric features + a categorical id); split_batch. Healthy."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, Dataset


class Rows(Dataset):
    def __init__(self, num, cat, label):
        self.num, self.cat, self.label = num, cat, label

    def __len__(self):
        return len(self.label)

    def __getitem__(self, i):
        return {"numeric": self.num[i], "store_id": self.cat[i], "label": self.label[i]}


class TabNet(nn.Module):
    def __init__(self, n_num=8, n_cat=6):
        super().__init__()
        self.store = nn.Embedding(n_cat, 4)
        self.mlp = nn.Sequential(nn.Linear(n_num + 4, 64), nn.ReLU(), nn.Linear(64, 3))

    def forward(self, numeric, store_id):
        return self.mlp(torch.cat([numeric, self.store(store_id)], dim=1))


def target(seed=0):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X, y = make_classification(n_samples=1500, n_features=8, n_informative=5, n_classes=3,
                               class_sep=1.2, random_state=seed)
    store = rng.integers(0, 6, len(y))
    y = np.where(store == 5, (y + 1) % 3, y)  # the store matters a bit
    X = (X - X.mean(0)) / X.std(0)
    num = torch.tensor(X, dtype=torch.float32)
    cat = torch.tensor(store, dtype=torch.long)
    lab = torch.tensor(y, dtype=torch.long)
    split = lambda b: ({"numeric": b["numeric"], "store_id": b["store_id"]}, b["label"])
    return {
        "model": TabNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=2e-3),
        "train_data": DataLoader(Rows(num[:1200], cat[:1200], lab[:1200]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(Rows(num[1200:], cat[1200:], lab[1200:]), batch_size=300),
        "split_batch": split,
    }
