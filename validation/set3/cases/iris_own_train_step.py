"""Iris with numpy-derived tensors, Adamax and a hand-written train_step with clipping."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_iris


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    inputs, labels = batch
    optimizer.zero_grad()
    logits = model(inputs)
    loss = loss_fn(logits, labels)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
    optimizer.step()
    return loss.item()


def target(seed=0):
    rng = np.random.RandomState(seed)
    torch.manual_seed(seed)
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    idx = rng.permutation(len(y))
    tr, va = idx[:120], idx[120:]
    X_t = torch.from_numpy(X.astype(np.float32))
    y_t = torch.from_numpy(y)

    # hand-made batches, reshuffled once per call of target()
    batches = []
    for _ in range(3):
        order = rng.permutation(tr)
        for i in range(0, len(order), 20):
            b = order[i:i + 20]
            batches.append((X_t[b], y_t[b]))
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adamax(params, lr=1e-2),
        "train_data": batches,
        "val_data": [(X_t[va], y_t[va])],
        "train_step": train_step,
        "task": "classification",
    }
