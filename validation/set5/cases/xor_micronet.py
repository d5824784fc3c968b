import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class MicroNet(nn.Module):
    def __init__(self, n_in=2, hidden=2, n_out=1):
        super().__init__()
        self.linear1 = nn.Linear(n_in, hidden)
        self.linear2 = nn.Linear(hidden, n_out)

    def forward(self, x):
        return torch.softmax(self.linear2(torch.sigmoid(self.linear1(x))), dim=1)


def dummy_data(n, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 2, generator=g)
    y = ((x[:, 0] > 0.5) ^ (x[:, 1] > 0.5)).float().unsqueeze(1)
    return x, y


def target(seed=0):
    torch.manual_seed(seed)
    xtr, ytr = dummy_data(1000, 0)
    xte, yte = dummy_data(100, 1)
    return {
        "model": MicroNet(hidden=8),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-2),
        "train_data": DataLoader(TensorDataset(xtr, ytr), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(xte, yte), batch_size=100),
    }
