"""Class imbalance: a 97:3 fraud-style problem trained with a plain mean loss.

Predicting "no fraud" for everything already gives 97% accuracy and a low
loss; the rare class is never predicted. (Fix: class weights in the loss,
a WeightedRandomSampler, or SMOTE; track per-class recall.)
"""
import torch
from sklearn.datasets import make_classification
from torch import nn

from loss_advisor.examples._data import loader, split, standardise


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = make_classification(3000, 20, n_informative=3, weights=[0.97, 0.03], class_sep=0.5, random_state=seed)
    x_tr, x_va, y_tr, y_va = split(x, y, seed=seed)
    x_tr, x_va = standardise(x_tr, x_va)
    return {
        "model": nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 2)),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01),
        "train_data": loader(x_tr, y_tr, batch_size=64),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
