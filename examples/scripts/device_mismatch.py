"""Device mismatch: the batches go to the GPU, the model stays on the CPU.

The script was written for a GPU machine: `device` is hard-coded to
"cuda" and every batch is moved there, but the model was never moved
(`model.to(device)` is missing). On a GPU machine the first forward
fails with "Expected all tensors to be on the same device"; on a machine
without one, moving the first batch fails. (Fix: model.to(device), and
pick the device with torch.cuda.is_available().)

    python device_mismatch.py --device cuda
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    device = torch.device(args.device)

    torch.manual_seed(0)
    x_train, _, y_train, _ = digits()
    loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                        batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))   # <- never moved to `device`
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    for epoch in range(args.epochs):
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
