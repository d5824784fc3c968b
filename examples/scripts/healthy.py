"""A healthy training script: an MLP on the digits, Adam, shuffled batches,
zero_grad -> forward -> backward -> step, train mode restored after each
validation pass. The reference the other scripts differ from.

    python healthy.py --epochs 5 --lr 1e-3
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
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x_train, x_val, y_train, y_val = digits(args.seed)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(x_val), torch.from_numpy(y_val)), batch_size=256)

    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for inputs, targets in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(inputs)

        model.eval()
        correct, val_loss = 0, 0.0
        with torch.no_grad():
            for inputs, targets in val_loader:
                outputs = model(inputs)
                val_loss += criterion(outputs, targets).item() * len(inputs)
                correct += (outputs.argmax(1) == targets).sum().item()
        print(f"epoch {epoch + 1}: train loss {total / len(x_train):.4f}  "
              f"val loss {val_loss / len(x_val):.4f}  val acc {correct / len(x_val):.3f}")


if __name__ == "__main__":
    main()
