import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))

    def forward(self, x):
        return self.layers(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
    as_t = lambda a, dt: torch.tensor(a, dtype=dt)

    def train_step(model, batch, optimizer, loss_fn):
        features, labels = batch
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = loss_fn(model(features), labels)
        loss.backward()
        optimizer.step()
        return loss

    return {
        "model": MLP(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(as_t(Xtr, torch.float32), as_t(ytr, torch.long)), batch_size=16,
                                 shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(as_t(Xva, torch.float32), as_t(yva, torch.long)), batch_size=64),
        "train_step": train_step,
        "task": "classification",
    }
