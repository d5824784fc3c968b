import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

# Tumour classifier straight from the sklearn table (radius, area, smoothness ...).
# Two outputs + CrossEntropy so I can add a third "uncertain" class later.


def make_loaders(seed, batch_size=32):
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=seed)
    to_t = lambda a, dt: torch.as_tensor(a, dtype=dt)
    g = torch.Generator().manual_seed(seed)
    train = DataLoader(TensorDataset(to_t(X_train, torch.float32), to_t(y_train, torch.long)),
                       batch_size=batch_size, shuffle=True, generator=g)
    test = DataLoader(TensorDataset(to_t(X_test, torch.float32), to_t(y_test, torch.long)),
                      batch_size=128)
    return train, test


def target(seed=0):
    torch.manual_seed(seed)
    train, test = make_loaders(seed)
    model = nn.Sequential(nn.Linear(30, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9),
        "train_data": train,
        "val_data": test,
        "task": "classification",
    }
