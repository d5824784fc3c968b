"""zero_grad between backward and step: the gradients are cleared just
before the optimizer would use them.

A tidy-looking refactor moved `optimizer.zero_grad()` next to
`optimizer.step()`, on the wrong side. Every step applies empty gradients
and the weights never move. (Fix: zero_grad before forward, or after step.)

    python zero_grad_before_step.py --epochs 3
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    total, seen = 0.0, 0
    for inputs, targets in loader:
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.zero_grad()          # <- clears what backward() just computed
        optimizer.step()
        total += loss.item() * len(inputs)
        seen += len(inputs)
    return total / seen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()

    torch.manual_seed(0)
    x_train, _, y_train, _ = digits()
    loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                        batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    for epoch in range(args.epochs):
        print(f"epoch {epoch + 1}: loss {train_one_epoch(model, loader, nn.CrossEntropyLoss(), optimizer):.4f}")


if __name__ == "__main__":
    main()
