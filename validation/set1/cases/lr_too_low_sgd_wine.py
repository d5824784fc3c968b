# Wine MLP with plain SGD at lr=1e-4 (an Adam-style rate handed to SGD).  The loss creeps
# down by a tiny amount per epoch; it would take tens of thousands of steps.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-4),
        "train_data": DataLoader(ds, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
