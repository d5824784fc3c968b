"""Missing zero_grad: the loop never calls optimizer.zero_grad().

Every backward() adds this batch's gradient to all the earlier ones, so
the updates grow with every step and point in stale directions; with
momentum the loss soon swings and climbs. (Fix: optimizer.zero_grad()
before each backward.)

    python missing_zero_grad.py --epochs 5 --lr 0.05
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x_train, x_val, y_train, y_val = digits(args.seed)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                              batch_size=args.batch_size, shuffle=True)

    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    for epoch in range(args.epochs):
        model.train()
        running = 0.0
        for step, (inputs, targets) in enumerate(train_loader):
            outputs = model(inputs)
            loss = criterion(outputs, targets)
            loss.backward()            # <- gradients pile up: zero_grad() is missing
            optimizer.step()
            running += loss.item()
            if step % 10 == 9:
                print(f"epoch {epoch + 1} step {step + 1}: loss {running / 10:.4f}")
                running = 0.0


if __name__ == "__main__":
    main()
