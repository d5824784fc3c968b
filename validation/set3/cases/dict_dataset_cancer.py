"""Breast-cancer classifier with a hand-written Dataset that yields dicts."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset, DataLoader
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split


class TabularDataset(Dataset):
    def __init__(self, features, labels, mean, std):
        self.features = ((features - mean) / std).astype(np.float32)
        self.labels = labels.astype(np.int64)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return {
            "features": torch.from_numpy(self.features[idx]),
            "label": torch.tensor(self.labels[idx]),
            "row_id": idx,
        }


class TumourNet(nn.Module):
    def __init__(self, n_in=30, hidden=32):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(0.2))
        self.classifier = nn.Linear(hidden, 2)

    def forward(self, features):
        return self.classifier(self.body(features))


def split_batch(batch):
    return {"features": batch["features"]}, batch["label"]


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
    mean, std = X_tr.mean(0), X_tr.std(0) + 1e-8
    train_ds = TabularDataset(X_tr, y_tr, mean, std)
    val_ds = TabularDataset(X_va, y_va, mean, std)
    g = torch.Generator().manual_seed(seed)
    return {
        "model": TumourNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=5e-4, weight_decay=5e-2),
        "train_data": DataLoader(train_ds, batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(val_ds, batch_size=128),
        "split_batch": split_batch,
        "task": "classification",
    }
