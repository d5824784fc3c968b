# The script ran a quick "sanity evaluation" (model.eval()) before training and the training step never
# switches back with model.train().  The model arrives and stays in eval mode for every update:
# BatchNorm uses its untouched running statistics and Dropout is disabled.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn_in = nn.BatchNorm1d(30)
        self.fc1 = nn.Linear(30, 64)
        self.bn1 = nn.BatchNorm1d(64)
        self.drop = nn.Dropout(0.3)
        self.fc2 = nn.Linear(64, 1)

    def forward(self, x):
        x = self.bn_in(x)
        x = self.drop(torch.relu(self.bn1(self.fc1(x))))
        return self.fc2(x)


def train_step(model, batch, optimizer, loss_fn):
    x, y = batch
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    val = DataLoader(TensorDataset(f(Xva), f(yva).unsqueeze(1)), batch_size=64)
    model = Net()
    # sanity check before training ...
    model.eval()
    with torch.no_grad():
        _ = [model(xb) for xb, _ in val]
    # ... and then straight into training without model.train()
    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(f(Xtr), f(ytr).unsqueeze(1)), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": val,
        "task": "binary",
        "train_step": train_step,
    }
