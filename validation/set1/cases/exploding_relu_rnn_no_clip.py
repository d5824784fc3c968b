# ReLU RNN with identity-initialised recurrent weights (the "IRNN" trick) summing a length-100
# sequence, trained with SGD+momentum and no gradient clipping.  Gradients through 100 steps blow up:
# the loss spikes and turns into inf/NaN.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make(n, g, T=100):
    x = torch.rand(n, T, 2, generator=g)
    y = (x[:, :, 0] * x[:, :, 1]).sum(1, keepdim=True) / 10.0   # a running-sum target
    return x, y


class IRNN(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(2, hidden, batch_first=True, nonlinearity="relu")
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    X, y = make(1000, g)
    return {
        "model": IRNN(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-3, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "task": "regression",
    }
