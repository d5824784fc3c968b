"""zero_grad() inside the accumulation loop: the gradients are cleared
before every micro-batch's backward, so each step applies only the last
micro-batch of four. (Fix: zero_grad() once, after optimizer.step().)

    python zero_grad_in_accumulation.py --epochs 10
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits

ACCUMULATE = 4


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    torch.manual_seed(0)
    x_train, _, y_train, _ = digits(0)
    loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)), batch_size=8, shuffle=True)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(args.epochs):
        total = 0.0
        for i, (inputs, targets) in enumerate(loader):
            optimizer.zero_grad()         # the mistake: clears what the earlier micro-batches added
            loss = criterion(model(inputs), targets) / ACCUMULATE
            loss.backward()
            if (i + 1) % ACCUMULATE == 0:
                optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(loader):.4f}")


if __name__ == "__main__":
    main()
