# Digits sorted by label (the user grouped the files by class folder) and loaded with shuffle=False.
# Each stretch of batches contains one class; the model chases the current class and forgets the rest,
# so the loss saw-tooths at every class boundary and the epoch loss does not come down.
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(ds, batch_size=16, shuffle=False),
        "task": "classification",
    }
