"""A layer whose input does not have the shape the model defines: the data
gained two engineered features (10 columns), but the first layer still
expects the original 8, so the first forward pass raises inside net.0.
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def target(seed: int = 0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(512, 10, generator=g)           # 8 original + 2 engineered features
    y = x[:, :3].sum(1, keepdim=True) + 0.1 * torch.randn(512, 1, generator=g)
    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True),
    }
