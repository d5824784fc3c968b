"""Every parameter frozen, and the error that says so silenced.

A reproduction of a common forum thread: a pre-trained network is frozen
with requires_grad_(False) to fine-tune "only the head", but the new head
is created before the freezing loop, so it is frozen too. backward() then
fails with "element 0 of tensors does not require grad", and the advice
that makes the error go away - loss.requires_grad = True - leaves a loss
that no longer depends on any parameter: it runs, and never goes down. The
validation loop runs in eval mode without torch.no_grad() (wasteful, but
not a mistake here). (Fix: freeze the backbone first, then create the
head; drop loss.requires_grad = True.)

    python frozen_all.py --epochs 4
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2))
        self.classifier = nn.Linear(128, 10)

    def forward(self, x):
        return self.classifier(self.backbone(x))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    x_train, x_val, y_train, y_val = digits()
    train_loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                              batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(x_val), torch.from_numpy(y_val)), batch_size=8)
    model = Net()
    model.classifier = nn.Linear(128, 10)           # the "new head"...
    for p in model.parameters():                    # ...frozen along with the backbone
        p.requires_grad = False
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(args.epochs):
        model.train()
        for inputs, targets in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.requires_grad = True               # <- silences the error, and hides the cause
            loss.backward()
            optimizer.step()
        model.eval()
        val_loss = 0.0
        for inputs, targets in val_loader:
            val_loss += criterion(model(inputs), targets).item() * len(inputs)
        print(f"epoch {epoch + 1}: val loss {val_loss / len(x_val):.4f}")


if __name__ == "__main__":
    main()
