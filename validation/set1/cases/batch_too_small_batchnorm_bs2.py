# MLP with BatchNorm1d after every hidden layer, trained with batch_size=2.  With two samples per
# batch BatchNorm's statistics are pure noise (each normalised unit is just +-1), the per-step loss
# jumps around and the running statistics used at eval time are garbage.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(
        nn.Linear(13, 64), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, 3),
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(f(sc.transform(Xtr)), torch.tensor(ytr)), batch_size=2,
                                 shuffle=True, drop_last=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(f(sc.transform(Xva)), torch.tensor(yva)), batch_size=64),
        "task": "classification",
    }
