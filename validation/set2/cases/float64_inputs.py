"""torch.from_numpy on sklearn arrays keeps float64, the model is float32: the very first
forward pass fails with a dtype mismatch (the CPU-only flavour of "tensors on different devices")."""
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))  # float64 features
    tr, va = torch.utils.data.random_split(ds, [455, 114], generator=torch.Generator().manual_seed(seed))
    model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(tr, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=114),
    }
