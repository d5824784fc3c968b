"""Parameters not in the optimizer: the optimizer only gets the classifier head.

The set-up was copied from a fine-tuning recipe, where the backbone comes
pre-trained and only the head is trained. Here the backbone starts from
random weights, yet it still never learns: its parameters require
gradients but are not handed to any optimizer, so the model is a random
projection with a trained linear head on top. (Fix: pass
model.parameters(), or freeze the backbone on purpose with
requires_grad_(False) when it really is pre-trained.)

    python frozen_params.py --epochs 3
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU())
        self.head = nn.Linear(256, 10)

    def forward(self, x):
        return self.head(self.backbone(x))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    x_train, _, y_train, _ = digits()
    loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                        batch_size=32, shuffle=True)
    model = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.head.parameters(), lr=args.lr)   # <- the backbone is left out

    for epoch in range(args.epochs):
        total = 0.0
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(inputs)
        print(f"epoch {epoch + 1}: loss {total / len(x_train):.4f}")


if __name__ == "__main__":
    main()
