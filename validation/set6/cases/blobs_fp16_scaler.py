import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=12, n_redundant=4,
                               n_classes=4, n_clusters_per_class=1, class_sep=1.5, random_state=seed)
    X = StandardScaler().fit_transform(X)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    model = nn.Sequential(nn.Linear(20, 96), nn.ReLU(), nn.Linear(96, 96), nn.ReLU(), nn.Linear(96, 4))
    scaler = torch.amp.GradScaler("cpu")

    def train_step(model, batch, optimizer, loss_fn):
        xb, yb = batch
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.float16):
            loss = loss_fn(model(xb), yb)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        scaler.step(optimizer)
        scaler.update()
        return loss.detach().float()

    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
        "train_data": DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=400),
        "train_step": train_step,
        "task": "classification",
    }
