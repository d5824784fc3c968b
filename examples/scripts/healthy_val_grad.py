"""A healthy script whose validation loop runs in eval mode without
torch.no_grad(): wasteful (the forward passes build a graph nobody uses),
but not a training mistake. The model has Dropout and BatchNorm, and
model.train() is called at the start of every epoch, so every training
step runs in train mode. Those validation forwards are followed by no
backward and no optimizer step: they are not training steps.

    python healthy_val_grad.py --epochs 5
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    x_train, x_val, y_train, y_val = digits()
    train_loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(x_val), torch.from_numpy(y_val)), batch_size=8)
    model = nn.Sequential(nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(args.epochs):
        model.train()
        for inputs, targets in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
        model.eval()                                  # no torch.no_grad() here: a graph is built, unused
        correct, val_loss = 0, 0.0
        for inputs, targets in val_loader:
            outputs = model(inputs)
            val_loss += criterion(outputs, targets).item() * len(inputs)
            correct += (outputs.argmax(1) == targets).sum().item()
        print(f"epoch {epoch + 1}: val loss {val_loss / len(x_val):.4f}  val acc {correct / len(x_val):.3f}")


if __name__ == "__main__":
    main()
