"""Gradient accumulation without dividing the loss: eight micro-batches add
their gradients into each SGD step and the loss is not divided by 8, so
every update is eight times what the learning rate says. (Fix:
(loss / ACCUMULATE).backward().)

    python accumulation_not_divided.py --epochs 10
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits

ACCUMULATE = 8


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    torch.manual_seed(0)
    x_train, _, y_train, _ = digits(0)
    loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)), batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(args.epochs):
        total = 0.0
        for i, (inputs, targets) in enumerate(loader):
            loss = criterion(model(inputs), targets)
            loss.backward()               # the mistake: (loss / ACCUMULATE).backward()
            if (i + 1) % ACCUMULATE == 0:
                optimizer.step()
                optimizer.zero_grad()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(loader):.4f}")


if __name__ == "__main__":
    main()
