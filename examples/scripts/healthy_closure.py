"""A healthy script whose optimizer takes a closure: the forward pass and
backward() run inside optimizer.step(closure), as LBFGS requires and as
PyTorch Lightning does for every optimizer. Nothing is wrong here: a
backward that happens inside step(closure) belongs to that step.

    python healthy_closure.py --optimizer adam     # Adam called as opt.step(closure), mini-batches
    python healthy_closure.py --optimizer lbfgs    # full-batch LBFGS with a line search
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optimizer", choices=["adam", "lbfgs"], default="adam")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x_train, x_val, y_train, y_val = digits(args.seed)
    x_train, y_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    model = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 10))
    criterion = nn.CrossEntropyLoss()

    if args.optimizer == "lbfgs":
        # LBFGS works on the whole training set at once: one step per iteration.
        optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=4, history_size=10,
                                      line_search_fn="strong_wolfe")
        batches = [(x_train, y_train)] * 30
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        batches = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)

    for epoch in range(args.epochs):
        model.train()
        for inputs, targets in batches:
            def closure():
                optimizer.zero_grad()
                loss = criterion(model(inputs), targets)
                loss.backward()
                return loss

            loss = optimizer.step(closure)
        with torch.no_grad():
            model.eval()
            val_loss = criterion(model(torch.from_numpy(x_val)), torch.from_numpy(y_val)).item()
        print(f"epoch {epoch + 1}: train loss {float(loss):.4f}  val loss {val_loss:.4f}")


if __name__ == "__main__":
    main()
