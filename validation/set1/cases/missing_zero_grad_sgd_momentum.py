# Classic: optimizer.zero_grad() is missing from the loop, so .grad keeps summing over all past
# batches.  With SGD+momentum the effective step keeps growing: the loss drops, then oscillates
# and climbs.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    x, y = batch
    out = model(x)
    loss = loss_fn(out, y)
    loss.backward()          # gradients accumulate: no optimizer.zero_grad() anywhere
    optimizer.step()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": DataLoader(ds, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
        "train_step": train_step,
    }
