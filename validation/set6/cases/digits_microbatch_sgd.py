import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, Dataset

MICRO_BATCHES = 8


class DigitsDataset(Dataset):
    def __init__(self):
        d = load_digits()
        self.x = torch.tensor(d.data, dtype=torch.float32) / 8.0 - 1.0
        self.y = torch.tensor(d.target, dtype=torch.long)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.fc2 = nn.Linear(128, 128)
        self.fc3 = nn.Linear(128, 10)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.fc3(self.act(self.fc2(self.act(self.fc1(x)))))


def train_step(model, batch, optimizer, loss_fn):
    x, y = batch
    optimizer.zero_grad()
    running = 0.0
    for xm, ym in zip(x.chunk(MICRO_BATCHES), y.chunk(MICRO_BATCHES)):
        loss = loss_fn(model(xm), ym)
        loss.backward()
        running += loss.item()
    optimizer.step()
    return running / MICRO_BATCHES


def target(seed=0):
    torch.manual_seed(seed)
    return {
        "model": Net(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
        "train_data": DataLoader(DigitsDataset(), batch_size=128, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "train_step": train_step,
        "task": "classification",
    }
