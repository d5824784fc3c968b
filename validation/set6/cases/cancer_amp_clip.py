import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

MAX_NORM = 1.0


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    f = lambda a: torch.tensor(sc.transform(a), dtype=torch.float32)
    g = lambda a: torch.tensor(a, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
    scaler = torch.amp.GradScaler("cpu")

    def train_step(model, batch, optimizer, loss_fn):
        x, y = batch
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.float16):
            logits = model(x)
        loss = loss_fn(logits.float(), y)
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM)
        scaler.step(optimizer)
        scaler.update()
        return loss.item()

    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "train_data": DataLoader(TensorDataset(f(Xtr), g(ytr)), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(f(Xva), g(yva)), batch_size=256),
        "train_step": train_step,
        "task": "binary",
    }
