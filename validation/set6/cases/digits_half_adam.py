import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

EPS = 1e-8


def target(seed=0):
    torch.manual_seed(seed)
    digits = load_digits()
    X = digits.data.astype("float32") / 16.0
    Xtr, Xva, ytr, yva = train_test_split(X, digits.target, test_size=0.2, random_state=seed, stratify=digits.target)
    to_half = lambda a: torch.tensor(a).half()
    model = nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10),
    ).half()
    return {
        "model": model,
        "loss_fn": lambda logits, y: F.cross_entropy(logits.float(), y),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3, eps=EPS),
        "train_data": DataLoader(TensorDataset(to_half(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(to_half(Xva), torch.tensor(yva)), batch_size=256),
        "task": "classification",
    }
