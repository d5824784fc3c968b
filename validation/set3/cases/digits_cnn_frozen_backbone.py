"""Digits CNN; the backbone/head split and freezing come from our transfer-learning template."""
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import TensorDataset, DataLoader


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(8, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))

    def forward(self, x):
        return self.conv(x).flatten(1)


class Classifier(nn.Module):
    def __init__(self, pretrained_path=None):
        super().__init__()
        self.backbone = Backbone()
        if pretrained_path is not None:
            self.backbone.load_state_dict(torch.load(pretrained_path))
        for p in self.backbone.parameters():
            p.requires_grad = False
        self.head = nn.Linear(4, 10)

    def forward(self, x):
        return self.head(self.backbone(x))


def target(seed=0):
    torch.manual_seed(seed)
    d = load_digits()
    X = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(d.target)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    tr, va = perm[:1400], perm[1400:]
    return {
        "model": Classifier(),            # no pretrained weights for this dataset
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[tr], y[tr]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[va], y[va]), batch_size=400),
        "task": "classification",
    }
