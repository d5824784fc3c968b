# Meant to freeze only the first layer, wrote `list(model.parameters())[:-1]`, which freezes every
# tensor except the very last one (the output bias).  Only 3 numbers can learn; the loss drops to the
# class-prior level and flattens.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 3))
    for p in list(model.parameters())[:-1]:     # BUG: meant list(model[0].parameters())
        p.requires_grad = False
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": DataLoader(ds, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
