import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from sklearn.datasets import load_digits


class DigitImages(Dataset):
    def __init__(self, images, labels):
        self.images = torch.tensor(images / 16.0, dtype=torch.float32).unsqueeze(1)
        self.labels = torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"pixels": self.images[i], "label": self.labels[i]}


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 4 * 4, 10))

    def forward(self, pixels):
        return self.classifier(self.features(pixels))


def target(seed=0):
    torch.manual_seed(seed)
    d = load_digits()
    idx = torch.randperm(len(d.target), generator=torch.Generator().manual_seed(0)).numpy()
    tr, va = idx[:1400], idx[1400:]
    return {
        "model": SmallCNN(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(DigitImages(d.images[tr], d.target[tr]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(DigitImages(d.images[va], d.target[va]), batch_size=200),
        "split_batch": lambda b: (b["pixels"], b["label"]),
        "task": "classification",
    }
