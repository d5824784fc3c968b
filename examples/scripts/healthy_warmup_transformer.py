"""Healthy: a tiny pre-LN transformer encoder on padded token sequences,
key-padding mask True at padding, AdamW, linear warmup into a cosine
decay stepped after every optimizer step over all the planned steps.

    python healthy_warmup_transformer.py --epochs 10
"""
import argparse

import torch
from torch import nn

from loss_advisor.examples._modern import TinyTransformer, sequences, warmup_cosine


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    torch.manual_seed(0)
    loader, _ = sequences(0)
    model = TinyTransformer()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    total = args.epochs * len(loader)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(total // 20, total))
    for epoch in range(args.epochs):
        running = 0.0
        for inputs, labels in loader:
            optimizer.zero_grad()
            loss = criterion(model(**inputs), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()
            running += loss.item()
        print(f"epoch {epoch}: loss {running / len(loader):.4f}")


if __name__ == "__main__":
    main()
