# Hidden layers kept in a plain Python list instead of nn.ModuleList, so they are not registered:
# model.parameters() only yields the output layer.  The hidden layers keep their random weights forever;
# only the last linear layer learns (on random features), so the loss stalls well above where it should.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


class MLP(nn.Module):
    def __init__(self, sizes=(64, 32, 32, 32), n_classes=10):
        super().__init__()
        self.hidden = []                       # BUG: should be nn.ModuleList
        for a, b in zip(sizes[:-1], sizes[1:]):
            self.hidden.append(nn.Linear(a, b))
        self.out = nn.Linear(sizes[-1], n_classes)

    def forward(self, x):
        for layer in self.hidden:
            x = torch.relu(layer(x))
        return self.out(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    return {
        "model": MLP(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(ds, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
