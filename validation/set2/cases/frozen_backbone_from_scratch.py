"""Fine-tuning recipe ("freeze everything except the classifier") applied to a CNN that was never
pre-trained: the convolutional layers keep their random weights (requires_grad=False), only the
last Linear learns, and the loss plateaus high."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def draw(n, g, size=16):
    imgs = torch.zeros(n, 1, size, size)
    labels = torch.randint(0, 4, (n,), generator=g)
    for i in range(n):
        a, b = torch.randint(1, size - 8, (2,), generator=g).tolist()
        k = int(labels[i])
        if k == 0:    # plus
            imgs[i, 0, a + 3, b:b + 7] = 1; imgs[i, 0, a:a + 7, b + 3] = 1
        elif k == 1:  # cross
            for j in range(7):
                imgs[i, 0, a + j, b + j] = 1; imgs[i, 0, a + j, b + 6 - j] = 1
        elif k == 2:  # box outline
            imgs[i, 0, a, b:b + 7] = imgs[i, 0, a + 6, b:b + 7] = 1
            imgs[i, 0, a:a + 7, b] = imgs[i, 0, a:a + 7, b + 6] = 1
        else:         # filled box
            imgs[i, 0, a + 1:a + 6, b + 1:b + 6] = 1
    imgs += 0.4 * torch.randn(imgs.shape, generator=g)
    return (imgs - imgs.mean()) / imgs.std(), labels


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(1, 4, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
        )
        self.classifier = nn.Linear(16, 4)

    def forward(self, x):
        return self.classifier(self.backbone(x).flatten(1))


def target(seed=0):
    torch.manual_seed(seed)
    x, y = draw(1000, torch.Generator().manual_seed(seed))
    model = SmallCNN()
    for name, p in model.named_parameters():
        if not name.startswith("classifier"):
            p.requires_grad = False
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam((p for p in params if p.requires_grad), lr=3e-3),
        "train_data": DataLoader(TensorDataset(x[:800], y[:800]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(x[800:], y[800:]), batch_size=200),
    }
