"""Healthy at depth: a 12-block ReLU MLP with LayerNorm, PyTorch's default
initialisation and AdamW at 1e-3, on 6000 generated examples (the same for every seed) of a well-separated 5-class
problem. Deep plain stacks with default init train fine when normalised; no
gradient alarm is due (and the data are ample for a short run).
"""
import torch
from sklearn.datasets import make_classification
from torch import nn

from loss_advisor.examples._data import loader, split, standardise


def block(width: int) -> nn.Module:
    return nn.Sequential(nn.Linear(width, width), nn.LayerNorm(width), nn.ReLU())


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = make_classification(n_samples=6000, n_features=32, n_informative=16, n_classes=5,
                               n_clusters_per_class=2, class_sep=2.0, flip_y=0.0, random_state=0)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    x_tr, x_va = standardise(x_tr, x_va)
    model = nn.Sequential(nn.Linear(32, 128), nn.ReLU(), *[block(128) for _ in range(12)], nn.Linear(128, 5))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3),
        "train_data": loader(x_tr, y_tr, batch_size=64),
        "val_data": loader(x_va, y_va, batch_size=512, shuffle=False),
    }
