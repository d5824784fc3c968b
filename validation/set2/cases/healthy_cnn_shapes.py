"""Small CNN on procedurally drawn 16x16 images (horizontal bar, vertical bar, diagonal, ring).

Pixels in [0, 1], then normalised with dataset mean/std. Healthy.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def draw(n, g, size=16):
    imgs = torch.zeros(n, 1, size, size)
    labels = torch.randint(0, 4, (n,), generator=g)
    for i in range(n):
        a = int(torch.randint(2, size - 6, (1,), generator=g))
        b = int(torch.randint(2, size - 6, (1,), generator=g))
        k = int(labels[i])
        if k == 0:
            imgs[i, 0, a, b:b + 6] = 1
        elif k == 1:
            imgs[i, 0, a:a + 6, b] = 1
        elif k == 2:
            for j in range(6):
                imgs[i, 0, a + j, b + j] = 1
        else:
            imgs[i, 0, a:a + 5, b] = imgs[i, 0, a:a + 5, b + 4] = 1
            imgs[i, 0, a, b:b + 5] = imgs[i, 0, a + 4, b:b + 5] = 1
    imgs += 0.2 * torch.rand(imgs.shape, generator=g)
    return imgs.clamp(0, 1), labels


class ShapeCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.fc = nn.Linear(16 * 4 * 4, 4)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


def target(seed=0):
    torch.manual_seed(seed)
    x, y = draw(1200, torch.Generator().manual_seed(seed))
    x = (x - x.mean()) / x.std()
    return {
        "model": ShapeCNN(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=2e-3),
        "train_data": DataLoader(TensorDataset(x[:1000], y[:1000]), batch_size=50, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(x[1000:], y[1000:]), batch_size=200),
    }
