# Hand-written cross-entropy that sums over the batch instead of averaging, with batch 128 and
# SGD+momentum lr 0.006 (a rate that is fine for the mean).  Steps are 128x larger than intended:
# the loss climbs steadily (no NaN within a few hundred steps) instead of falling.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


def my_cross_entropy(logits, y):
    logp = F.log_softmax(logits, dim=1)
    return -logp[torch.arange(len(y)), y].sum()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return {
        "model": model,
        "loss_fn": my_cross_entropy,
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.006, momentum=0.9),
        "train_data": DataLoader(ds, batch_size=128, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
