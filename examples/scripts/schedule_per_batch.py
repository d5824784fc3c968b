"""A per-epoch scheduler stepped every batch: StepLR(step_size=10, gamma=0.1)
is meant as "a tenth of the rate every 10 epochs", but scheduler.step()
sits inside the batch loop, so the rate falls a hundredfold within the
first 20 batches. (Fix: move scheduler.step() after the batch loop.)

    python schedule_per_batch.py --epochs 5
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    torch.manual_seed(0)
    x_train, _, y_train, _ = digits(0)
    loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)), batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1)
    for epoch in range(args.epochs):
        total = 0.0
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            scheduler.step()          # the mistake: once per batch
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(loader):.4f} lr {scheduler.get_last_lr()[0]:.2g}")


if __name__ == "__main__":
    main()
