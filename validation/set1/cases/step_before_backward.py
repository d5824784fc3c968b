# optimizer.step() is called before loss.backward().  Right after zero_grad() the grads are None/zero,
# so every step() is a no-op and the fresh gradients are wiped at the next iteration: nothing moves.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_moons


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    x, y = batch
    optimizer.zero_grad()
    logits = model(x)
    loss = loss_fn(logits, y)
    optimizer.step()         # BUG: before backward
    loss.backward()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=1000, noise=0.2, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
        "train_data": DataLoader(ds, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
        "train_step": train_step,
    }
