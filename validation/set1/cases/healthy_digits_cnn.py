# 8x8 digits as 1x8x8 images scaled to [0,1], small CNN, Adam 1e-3, batch 64. Nothing wrong.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),  # 4x4
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def target(seed=0):
    torch.manual_seed(seed)
    d = load_digits()
    X = d.images.astype("float32") / 16.0
    Xtr, Xva, ytr, yva = train_test_split(X, d.target, test_size=0.2, random_state=seed)
    tr = TensorDataset(torch.tensor(Xtr).unsqueeze(1), torch.tensor(ytr))
    va = TensorDataset(torch.tensor(Xva).unsqueeze(1), torch.tensor(yva))
    return {
        "model": SmallCNN(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(tr, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=128),
        "task": "classification",
    }
