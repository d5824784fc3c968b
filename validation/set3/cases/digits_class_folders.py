"""Digits read back from a one-folder-per-class export (0/, 1/, ..., 9/)."""
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader
from sklearn.datasets import load_digits


class FolderDigits(Dataset):
    """Mimics torchvision's ImageFolder: samples are listed folder by folder."""

    def __init__(self, images, labels):
        self.samples = []
        for cls in range(10):
            for img, lab in zip(images, labels):
                if lab == cls:
                    self.samples.append((img, cls))

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        img, cls = self.samples[i]
        return torch.tensor(img, dtype=torch.float32).flatten() / 16.0, cls


def target(seed=0):
    torch.manual_seed(seed)
    d = load_digits()
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(d.target), generator=g).numpy()
    tr, va = perm[:1400], perm[1400:]
    train_ds = FolderDigits(d.images[tr], d.target[tr])
    val_ds = FolderDigits(d.images[va], d.target[va])
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(train_ds, batch_size=32, shuffle=False),
        "val_data": DataLoader(val_ds, batch_size=400),
        "task": "classification",
    }
