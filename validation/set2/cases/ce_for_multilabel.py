"""Multi-label tags (several can be on at once) trained with CrossEntropyLoss on multi-hot targets
instead of BCEWithLogitsLoss: softmax forces the tags to compete, the loss floors well above 0."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, d = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    tags = np.stack([d % 2 == 0, d >= 5, np.isin(d, [2, 3, 5, 7]), np.isin(d, [0, 6, 8, 9]),
                     np.isin(d, [1, 4, 7])], 1).astype(np.float32)
    X = torch.tensor(X, dtype=torch.float32)
    T = torch.tensor(tags)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 5))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),  # accepts float "probability" targets, silently
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1400], T[:1400]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1400:], T[1400:]), batch_size=400),
    }
