"""A very wide MLP on the small wine data set, tamed by AdamW weight decay and dropout. Healthy."""
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    sc = StandardScaler().fit(Xtr)
    f = lambda a: torch.tensor(sc.transform(a), dtype=torch.float32)
    model = nn.Sequential(nn.Linear(13, 512), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(512, 3))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=3e-4, weight_decay=0.1),
        "train_data": DataLoader(TensorDataset(f(Xtr), torch.tensor(ytr)), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(f(Xva), torch.tensor(yva)), batch_size=100),
    }
