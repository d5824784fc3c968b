"""float16 autocast without a GradScaler on a dense regression whose
targets are on a fine scale (about 1e-3): the mean squared error over
64 x 1024 outputs gives gradients near 1e-8, below float16's smallest
step, so about half the gradient values are rounded to zero. (Fix:
torch.amp.GradScaler, or bfloat16.)

    python fp16_no_scaler.py --epochs 3
"""
import argparse

import torch
from torch import nn

from loss_advisor.examples._modern import fine_regression, fine_regression_model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    torch.manual_seed(0)
    loader, _ = fine_regression(0)
    model = fine_regression_model()
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    for epoch in range(args.epochs):
        total = 0.0
        for inputs, targets in loader:
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.float16):
                loss = criterion(model(inputs), targets)
            loss.backward()                # the mistake: no GradScaler
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(loader):.3g}")


if __name__ == "__main__":
    main()
