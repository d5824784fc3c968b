"""NLLLoss applied to raw logits (log_softmax forgotten): the "loss" goes negative without bound."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


class WineNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(13, 32)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))  # should be F.log_softmax(..., dim=1)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    tr, va = torch.utils.data.random_split(ds, [140, 38], generator=torch.Generator().manual_seed(seed))
    return {
        "model": WineNet(),
        "loss_fn": nn.NLLLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": DataLoader(tr, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=64),
    }
