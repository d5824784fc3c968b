"""Tiny fully-convolutional net segmenting bright rectangles in noisy 16x16 images."""
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader


class Rectangles(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.images = torch.randn(n, 1, 16, 16, generator=g) * 0.5
        self.masks = torch.zeros(n, 1, 16, 16)
        for i in range(n):
            r0, c0 = torch.randint(0, 10, (2,), generator=g).tolist()
            h, w = torch.randint(3, 7, (2,), generator=g).tolist()
            self.masks[i, 0, r0:r0 + h, c0:c0 + w] = 1.0
        self.images += self.masks * 1.0

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i], self.masks[i]


def target(seed=0):
    torch.manual_seed(seed)
    net = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 1, 1),
    )
    return {
        "model": net,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train_data": DataLoader(Rectangles(800, seed), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(Rectangles(200, seed + 1000), batch_size=100),
        "task": "segmentation",
    }
