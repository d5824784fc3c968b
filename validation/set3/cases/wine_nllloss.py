"""Wine classifier with NLLLoss (ported from an old Lua Torch script)."""
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


class WineNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(13, 32)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        return self.fc2(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    tr, va = perm[:140], perm[140:]
    return {
        "model": WineNet(),
        "loss_fn": nn.NLLLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[tr], y[tr]), batch_size=16, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[va], y[va]), batch_size=64),
        "task": "classification",
    }
