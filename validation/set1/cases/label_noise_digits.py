# Digits where a buggy annotation merge left ~45% of the training labels random.
# The train loss stalls high even though the model and optimiser are fine.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32)
    y = torch.tensor(y)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=seed)
    ytr = ytr.clone()
    noisy = torch.rand(len(ytr), generator=g) < 0.45
    ytr[noisy] = torch.randint(0, 10, (int(noisy.sum()),), generator=g)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(Xva, yva), batch_size=256),
        "task": "classification",
    }
