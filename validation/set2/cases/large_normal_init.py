"""Weights initialised with nn.init.normal_(std=1.0) in a 256-wide tanh MLP: pre-activations
have std ~16, every tanh is saturated at +-1, the initial logits are huge (initial loss ~20+)
and the gradients through the saturated units are tiny; the training loss needs ~150 steps just to get back to chance level."""
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


class TanhMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(64, 256), nn.Linear(256, 256), nn.Linear(256, 10)
        for fc in (self.fc1, self.fc2, self.fc3):
            nn.init.normal_(fc.weight, mean=0.0, std=1.0)
            nn.init.zeros_(fc.bias)

    def forward(self, x):
        return self.fc3(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": TanhMLP(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:1400], y[:1400]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1400:], y[1400:]), batch_size=400),
    }
