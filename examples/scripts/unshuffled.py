"""Data not shuffled: the training set is sorted by label and the loader
keeps that order (shuffle=False).

Each batch holds one digit, so each step pulls the model towards that one
class and the next batches undo it: the loss jumps from batch to batch and
the model mostly remembers the last classes it saw. (Fix:
DataLoader(..., shuffle=True).)

    python unshuffled.py --epochs 5
"""
import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args()

    torch.manual_seed(0)
    x_train, x_val, y_train, y_val = digits()
    order = np.argsort(y_train, kind="stable")          # grouped by class, e.g. as exported from a folder per class
    x_train, y_train = x_train[order], y_train[order]
    train_loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                              batch_size=args.batch_size, shuffle=False)   # <- keeps the sorted order
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    for epoch in range(args.epochs):
        model.train()
        for inputs, targets in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(torch.from_numpy(x_val)).argmax(1).numpy() == y_val).mean()
        print(f"epoch {epoch + 1}: last batch loss {loss.item():.4f}  val acc {accuracy:.3f}")


if __name__ == "__main__":
    main()
