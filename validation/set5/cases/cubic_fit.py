import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(in_features=1, out_features=50, bias=True)
        self.fc2 = nn.Linear(in_features=50, out_features=1, bias=True)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def target(seed=0):
    torch.manual_seed(seed)
    inp = torch.arange(1, 4000, 2).float().unsqueeze(1)
    tgt = inp ** 3
    perm = torch.randperm(len(inp), generator=torch.Generator().manual_seed(0))
    inp, tgt = inp[perm], tgt[perm]
    return {
        "model": Network(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(inp[:1600], tgt[:1600]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(inp[1600:], tgt[1600:]), batch_size=400),
        "task": "regression",
    }
