import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

WD = 0.5


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    net = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 3))
    return {
        "model": net,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=WD),
        "train_data": DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
