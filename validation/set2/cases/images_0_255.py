"""CNN on procedurally drawn images left in 0..255 (uint8 converted with .float(), never divided)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def draw(n, g, size=16):
    imgs = torch.zeros(n, 1, size, size, dtype=torch.uint8)
    labels = torch.randint(0, 3, (n,), generator=g)
    for i in range(n):
        a, b = torch.randint(2, size - 7, (2,), generator=g).tolist()
        k = int(labels[i])
        if k == 0:
            imgs[i, 0, a:a + 2, b:b + 7] = 255
        elif k == 1:
            imgs[i, 0, a:a + 7, b:b + 2] = 255
        else:
            imgs[i, 0, a:a + 5, b:b + 5] = 255
    noise = torch.randint(0, 60, imgs.shape, generator=g, dtype=torch.uint8)
    return torch.maximum(imgs, noise), labels


def target(seed=0):
    torch.manual_seed(seed)
    x, y = draw(1000, torch.Generator().manual_seed(seed))
    x = x.float()  # 0..255
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 16, 3),
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": DataLoader(TensorDataset(x[:800], y[:800]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(x[800:], y[800:]), batch_size=200),
    }
