"""optimizer.step() called before loss.backward(), with zero_grad at the top of the step:
every step runs on cleared gradients, so the weights never change and the loss stays at its
initial level."""
import torch
import torch.nn as nn
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


class IrisNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 32)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    x, y = batch
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    optimizer.step()
    loss.backward()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    tr, va = torch.utils.data.random_split(ds, [120, 30], generator=torch.Generator().manual_seed(seed))
    return {
        "model": IrisNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "train_data": DataLoader(tr, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=30),
        "train_step": train_step,
    }
