"""Small helpers the examples share: scikit-learn's bundled data as loaders.

Every data set here ships inside scikit-learn and loads offline.
"""
import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset


def standardise(train, *others):
    mean, std = train.mean(0), train.std(0) + 1e-8
    return [(a - mean) / std for a in (train, *others)]


def split(x, y, val_fraction=0.25, seed=0):
    rng = np.random.RandomState(seed)
    order = rng.permutation(len(x))
    cut = int(len(x) * (1 - val_fraction))
    return x[order[:cut]], x[order[cut:]], y[order[:cut]], y[order[cut:]]


def loader(x, y, batch_size=32, shuffle=True, y_dtype=torch.long):
    dataset = TensorDataset(torch.as_tensor(np.asarray(x), dtype=torch.float32),
                            torch.as_tensor(np.asarray(y), dtype=y_dtype))
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle)
