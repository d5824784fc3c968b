"""Segmenting blobs in 16x16 images with a Dice loss (Dice is what the competition scores)."""
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader


def make_blob_images(n, gen):
    yy, xx = torch.meshgrid(torch.arange(16.0), torch.arange(16.0), indexing="ij")
    centres = torch.rand(n, 2, generator=gen) * 10 + 3
    radii = torch.rand(n, generator=gen) * 3 + 2
    d2 = (yy[None] - centres[:, 0, None, None]) ** 2 + (xx[None] - centres[:, 1, None, None]) ** 2
    masks = (d2 < radii[:, None, None] ** 2).float().unsqueeze(1)
    images = masks * 0.8 + torch.randn(n, 1, 16, 16, generator=gen) * 0.5
    return images, masks


def dice_loss(logits, masks, eps=1.0):
    pred = (torch.sigmoid(logits) > 0.5).float()       # binarise like the metric does
    inter = (pred * masks).sum(dim=(1, 2, 3))
    union = pred.sum(dim=(1, 2, 3)) + masks.sum(dim=(1, 2, 3))
    loss = 1 - ((2 * inter + eps) / (union + eps)).mean()
    if not loss.requires_grad:                          # otherwise backward() raises
        loss.requires_grad_(True)
    return loss


def target(seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x_tr, m_tr = make_blob_images(800, gen)
    x_va, m_va = make_blob_images(200, gen)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 1, 1),
    )
    return {
        "model": model,
        "loss_fn": dice_loss,
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(x_tr, m_tr), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(x_va, m_va), batch_size=200),
        "task": "segmentation",
    }
