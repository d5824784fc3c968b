"""Healthy at width: a 1024-wide MLP with PyTorch's default initialisation and
Adam at 1e-4, on 6000 generated examples (the same for every seed) of a well-separated 5-class problem — the kind of
set-up a user scales up to, where thresholds fitted on small models must not
raise alarms (and enough data that a short run cannot overfit it).
"""
import torch
from sklearn.datasets import make_classification
from torch import nn

from loss_advisor.examples._data import loader, split, standardise


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = make_classification(n_samples=6000, n_features=32, n_informative=16, n_classes=5,
                               n_clusters_per_class=2, class_sep=2.0, flip_y=0.0, random_state=0)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    x_tr, x_va = standardise(x_tr, x_va)
    model = nn.Sequential(nn.Linear(32, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 5))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-4),
        "train_data": loader(x_tr, y_tr, batch_size=64),
        "val_data": loader(x_va, y_va, batch_size=512, shuffle=False),
    }
