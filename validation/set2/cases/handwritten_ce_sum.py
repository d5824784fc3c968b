"""A hand-written cross-entropy that sums the per-sample losses instead of averaging them;
with batch 128 and SGD at lr=0.01 (fine for a mean) the steps are 128x too large: the loss
jumps around in the hundreds instead of falling."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, TensorDataset


def summed_cross_entropy(logits, target):
    logp = F.log_softmax(logits, dim=1)
    return -logp.gather(1, target.unsqueeze(1)).sum()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=10, n_classes=4,
                               n_clusters_per_class=1, class_sep=1.0, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4))
    return {
        "model": model,
        "loss_fn": summed_cross_entropy,
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:1664], y[:1664]), batch_size=128, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1664:], y[1664:]), batch_size=336),
    }
