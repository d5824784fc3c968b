"""The model is put in eval mode right after construction (a sanity-check prediction) and the
training loop never calls model.train(): Dropout(0.5) and BatchNorm stay off during training.
The BatchNorm running stats never update, so the un-normalised wine features are never rescaled."""
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from torch.utils.data import DataLoader, TensorDataset


class WineClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn_in = nn.BatchNorm1d(13)
        self.body = nn.Sequential(nn.Linear(13, 256), nn.ReLU(), nn.Dropout(0.5),
                                  nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.5))
        self.head = nn.Linear(256, 3)

    def forward(self, x):
        return self.head(self.body(self.bn_in(x)))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    idx = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    X, y = X[idx], y[idx]
    model = WineClassifier()
    model.eval()
    with torch.no_grad():
        model(X[:4])  # quick shape check
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:140], y[:140]), batch_size=16, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[140:], y[140:]), batch_size=64),
    }
