"""Step before backward: optimizer.step() comes before loss.backward().

The step applies whatever gradients are there - none, since zero_grad()
cleared them at the top of the loop - and the fresh gradients of
backward() are wiped before the next step can use them. The weights never
move. (Fix: zero_grad -> forward -> loss -> backward -> step.)

    python step_before_backward.py --epochs 3
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    x_train, _, y_train, _ = digits()
    loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                        batch_size=args.batch_size, shuffle=True)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(args.epochs):
        total = 0.0
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            optimizer.step()           # <- too early: nothing to apply yet
            loss.backward()
            total += loss.item() * len(inputs)
        print(f"epoch {epoch + 1}: loss {total / len(x_train):.4f}")


if __name__ == "__main__":
    main()
