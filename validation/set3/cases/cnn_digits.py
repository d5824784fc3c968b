"""Small CNN on sklearn digits reshaped to 1x8x8, pixels scaled to [0, 1]."""
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import TensorDataset, DataLoader


class DigitCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.fc(self.conv(x))


def target(seed=0):
    torch.manual_seed(seed)
    digits = load_digits()
    images = digits.images / 16.0
    X_tr, X_va, y_tr, y_va = train_test_split(images, digits.target, test_size=0.2, random_state=seed,
                                              stratify=digits.target)
    X_tr = torch.tensor(X_tr, dtype=torch.float32).unsqueeze(1)
    X_va = torch.tensor(X_va, dtype=torch.float32).unsqueeze(1)
    train = DataLoader(TensorDataset(X_tr, torch.tensor(y_tr)), batch_size=32, shuffle=True,
                       generator=torch.Generator().manual_seed(seed))
    val = DataLoader(TensorDataset(X_va, torch.tensor(y_va)), batch_size=360)
    return {
        "model": DigitCNN(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": train,
        "val_data": val,
        "task": "classification",
    }
