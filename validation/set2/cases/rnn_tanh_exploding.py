"""Tanh RNN on a 50-step running-sum regression, recurrent weights initialised orthogonal with
gain 2.0 (someone read that "RNNs need larger recurrent weights"): the recurrence is chaotic,
the gradient norm is in the thousands at every step and SGD just thrashes; the loss stays ~1."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class SumRNN(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, nonlinearity="tanh", batch_first=True)
        nn.init.orthogonal_(self.rnn.weight_hh_l0, gain=2.0)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.head(h[:, -1])


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1200, 50, 1, generator=g)
    y = x.sum(1) / 50 ** 0.5
    return {
        "model": SumRNN(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-3, momentum=0.9),
        "train_data": DataLoader(TensorDataset(x[:1000], y[:1000]), batch_size=50, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(x[1000:], y[1000:]), batch_size=200),
        "task": "regression",
    }
