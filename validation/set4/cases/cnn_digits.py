"""Small CNN on the 8x8 sklearn digits."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader
from sklearn.datasets import load_digits


class DigitImages(Dataset):
    def __init__(self, images, labels):
        self.images = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 16.0
        self.images = (self.images - 0.3) / 0.37
        self.labels = torch.tensor(labels, dtype=torch.long)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return self.images[idx], self.labels[idx]


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def target(seed=0):
    torch.manual_seed(seed)
    d = load_digits()
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(d.target), generator=g).numpy()
    imgs, labels = d.images[perm], d.target[perm]
    return {
        "model": SmallCNN(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(DigitImages(imgs[:1500], labels[:1500]), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(DigitImages(imgs[1500:], labels[1500:]), batch_size=256),
        "task": "classification",
    }
