import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from torch.utils.data import DataLoader, TensorDataset

ACCUMULATION_STEPS = 8


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=2000, noise=0.15, random_state=seed)
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32).unsqueeze(-1)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))

    def train_step(model, batch, optimizer, loss_fn):
        xb, yb = batch
        loss_total = 0.0
        for xs, ys in zip(xb.split(len(xb) // ACCUMULATION_STEPS), yb.split(len(yb) // ACCUMULATION_STEPS)):
            optimizer.zero_grad()
            loss = loss_fn(model(xs), ys) / ACCUMULATION_STEPS
            loss.backward()
            loss_total += loss.item()
        optimizer.step()
        return loss_total

    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.1),
        "train_data": DataLoader(TensorDataset(Xt[:1600], yt[:1600]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(Xt[1600:], yt[1600:]), batch_size=400),
        "train_step": train_step,
        "task": "binary",
    }
