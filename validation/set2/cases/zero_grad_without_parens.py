"""`optimizer.zero_grad` written without parentheses: a no-op attribute access, so gradients
pile up across batches. Adam hides the scale but follows the running sum of all past gradients."""
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from torch.utils.data import DataLoader, TensorDataset


class MoonClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.out = nn.Linear(64, 2)

    def forward(self, x):
        return self.out(self.hidden(x))


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    inputs, labels = batch
    optimizer.zero_grad  # noqa: B018  (missing "()")
    outputs = model(inputs)
    loss = loss_fn(outputs, labels)
    loss.backward()
    optimizer.step()
    return loss.detach()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_moons(n_samples=1200, noise=0.2, random_state=seed)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": MoonClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train_data": DataLoader(TensorDataset(X[:1000], y[:1000]), batch_size=50, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1000:], y[1000:]), batch_size=200),
        "train_step": train_step,
    }
