import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=seed)
    sc = StandardScaler().fit(Xtr)
    Xtr, Xva = (torch.tensor(sc.transform(a), dtype=torch.float32) for a in (Xtr, Xva))
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "scheduler": lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5),
        "scheduler_interval": "step",
        "train_data": DataLoader(TensorDataset(Xtr, torch.tensor(ytr)), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(Xva, torch.tensor(yva)), batch_size=450),
        "task": "classification",
    }
