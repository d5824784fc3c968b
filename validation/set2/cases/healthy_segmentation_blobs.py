"""Foreground segmentation of noisy 24x24 images with random discs/boxes; tiny FCN, per-pixel BCEWithLogits. Healthy."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def scenes(n, g, size=24):
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    masks = torch.zeros(n, 1, size, size)
    for i in range(n):
        for _ in range(int(torch.randint(1, 4, (1,), generator=g))):
            cy, cx = torch.randint(3, size - 3, (2,), generator=g).tolist()
            r = int(torch.randint(2, 6, (1,), generator=g))
            if torch.rand(1, generator=g) < 0.5:
                m = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
            else:
                m = ((yy - cy).abs() <= r) & ((xx - cx).abs() <= r)
            masks[i, 0][m] = 1.0
    imgs = 0.8 * masks + 0.35 * torch.randn(masks.shape, generator=g)
    return (imgs - imgs.mean()) / imgs.std(), masks


class TinyFCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 1, 1),
        )

    def forward(self, x):
        return self.net(x)


def target(seed=0):
    torch.manual_seed(seed)
    x, m = scenes(600, torch.Generator().manual_seed(seed))
    return {
        "model": TinyFCN(),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train_data": DataLoader(TensorDataset(x[:500], m[:500]), batch_size=20, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(x[500:], m[500:]), batch_size=100),
        "task": "segmentation",
    }
