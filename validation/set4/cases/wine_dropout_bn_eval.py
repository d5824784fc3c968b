"""Wine classifier with dropout + batchnorm.

Before training I run the untrained model once on the validation set to get a
baseline accuracy, then start the loop."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn_in = nn.BatchNorm1d(13)
        self.fc1 = nn.Linear(13, 128)
        self.drop = nn.Dropout(0.3)
        self.fc2 = nn.Linear(128, 3)

    def forward(self, x):
        x = self.bn_in(x)
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


@torch.no_grad()
def baseline_accuracy(model, loader):
    model.eval()
    correct = total = 0
    for xb, yb in loader:
        correct += (model(xb).argmax(1) == yb).sum().item()
        total += len(yb)
    return correct / total


def train_step(model, batch, optimizer, loss_fn):
    x, y = batch
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)  # raw units; the input BatchNorm takes care of scaling
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    train = DataLoader(TensorDataset(f(Xa), torch.tensor(ya)), batch_size=32, shuffle=True, generator=g)
    val = DataLoader(TensorDataset(f(Xb), torch.tensor(yb)), batch_size=64)
    model = Net()
    baseline_accuracy(model, val)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": train,
        "val_data": val,
        "train_step": train_step,
        "task": "classification",
    }
