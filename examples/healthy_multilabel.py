"""Healthy: multi-label classification with BCEWithLogitsLoss on dict
batches. Each example may carry several of 6 labels at once (a 0/1 float
vector); the model returns raw logits, one per label; batches are dicts
{"features", "labels"} split by split_batch.
"""
import torch
from torch import nn
from torch.utils.data import DataLoader

LABELS = 6


def rows(n, g, w):
    x = torch.randn(n, 12, generator=g)
    y = ((x @ w) > 0.5).float()
    return [{"features": a, "labels": b} for a, b in zip(x, y)]


def target(seed: int = 0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(12, LABELS, generator=g)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, LABELS))
    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=0.01),
        "train_data": DataLoader(rows(1024, g, w), batch_size=32, shuffle=True),
        "val_data": DataLoader(rows(256, g, w), batch_size=64),
        "split_batch": lambda b: (b["features"], b["labels"]),
        "task": "multilabel",
    }
