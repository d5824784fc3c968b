import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

ACCUM = 4


def target(seed=0):
    torch.manual_seed(seed)
    data = load_breast_cancer()
    X = StandardScaler().fit_transform(data.data).astype("float32")
    y = data.target.astype("int64")
    model = nn.Sequential(nn.Linear(30, 32), nn.Tanh(), nn.Linear(32, 2))

    def train_step(model, batch, optimizer, loss_fn):
        x, t = batch
        optimizer.zero_grad()
        total = 0.0
        for xs, ts in zip(x.chunk(ACCUM), t.chunk(ACCUM)):
            loss = loss_fn(model(xs), ts) / ACCUM
            loss.backward()
            total += loss.item()
        optimizer.step()
        return total

    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
        "train_data": DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=64,
                                 shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "train_step": train_step,
        "task": "classification",
    }
