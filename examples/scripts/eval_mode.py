"""Eval mode during training: evaluate() switches the model to eval mode
and the training loop never switches it back.

From the second epoch on, Dropout is off and BatchNorm normalises with
running statistics that no longer update while the model trains. (Fix:
model.train() at the start of every epoch.)

    python eval_mode.py --epochs 5
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


class Classifier(nn.Module):
    def __init__(self, hidden=128, dropout=0.3):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(64, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout))
        self.head = nn.Linear(hidden, 10)

    def forward(self, x):
        return self.head(self.body(x))


@torch.no_grad()
def evaluate(model, loader, criterion):
    model.eval()                      # <- and nobody calls model.train() again
    total, correct, seen = 0.0, 0, 0
    for inputs, targets in loader:
        outputs = model(inputs)
        total += criterion(outputs, targets).item() * len(inputs)
        correct += (outputs.argmax(1) == targets).sum().item()
        seen += len(inputs)
    return total / seen, correct / seen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args()

    torch.manual_seed(0)
    x_train, x_val, y_train, y_val = digits()
    train_loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(x_val), torch.from_numpy(y_val)), batch_size=256)
    model = Classifier()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    model.train()
    for epoch in range(args.epochs):
        for inputs, targets in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
        val_loss, val_acc = evaluate(model, val_loader, criterion)
        print(f"epoch {epoch + 1}: val loss {val_loss:.4f}  val acc {val_acc:.3f}")


if __name__ == "__main__":
    main()
