"""A healthy script whose model standardises its own inputs: the digits
arrive as raw 8-bit grey levels (0-255, as read from image files), and
forward() subtracts a mean and divides by a standard deviation that were
fitted on the training split and registered as buffers (so they travel
with the model's state_dict, as in many Lightning modules and exported
models). The first Linear layer sees standardised inputs; nothing is wrong.

    python healthy_in_model_norm.py --epochs 5
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


class Classifier(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    x_train, x_val, y_train, y_val = digits(standardise=False)
    # 8-bit grey levels, as the images would be read from files.
    x_train, x_val = (torch.from_numpy(x * 255 / 16).round() for x in (x_train, x_val))
    std = x_train.std(0)
    std[std == 0] = 1.0                         # pixels blank in every training image stay as they are
    model = Classifier(x_train.mean(0), std)
    train_loader = DataLoader(TensorDataset(x_train, torch.from_numpy(y_train)), batch_size=32, shuffle=True)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(args.epochs):
        model.train()
        for inputs, targets in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = criterion(model(x_val), torch.from_numpy(y_val)).item()
        print(f"epoch {epoch + 1}: val loss {val_loss:.4f}")


if __name__ == "__main__":
    main()
