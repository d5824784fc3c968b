import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

EPOCHS, BATCH = 30, 16


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_iris(return_X_y=True)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y)
    perm = torch.randperm(150, generator=torch.Generator().manual_seed(1))
    X, y = X[perm], y[perm]
    train = DataLoader(TensorDataset(X[:120], y[:120]), batch_size=BATCH, shuffle=True,
                       generator=torch.Generator().manual_seed(seed))
    steps = EPOCHS * len(train)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 3))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        "scheduler": lambda opt: torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=steps),
        "scheduler_interval": "step",
        "train_data": train,
        "val_data": DataLoader(TensorDataset(X[120:], y[120:]), batch_size=30),
        "task": "classification",
    }
