"""Device mismatch: a new classification head left on the meta device.

The backbone was built for real; the new head was created under
`torch.device("meta")` (as when a large model is instantiated without
memory, then its weights loaded) and never materialised with
`to_empty()` and an initialisation, or with weights loaded into it. Its
parameters have a shape but no data, and the first forward pass fails.
(Fix: `model.head = model.head.to_empty(device="cpu")` followed by
`model.head.reset_parameters()`, or create the head outside the meta context.)
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(8, 32), nn.ReLU())
        with torch.device("meta"):
            self.head = nn.Linear(32, 3)          # <- never materialised

    def forward(self, x):
        return self.head(self.backbone(x))


def target(seed: int = 0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(256, 8, generator=g)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    return {
        "model": Net(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True),
    }
