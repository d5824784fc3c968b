"""Exploding gradients: a ReLU RNN over 60 time steps with recurrent weights at 1.2x identity.

Backpropagation through time multiplies by the recurrent matrix at every step;
1.2^60 is about 50,000, and the first update blows the model up.
(Fix: clip_grad_norm_, an orthogonal or scaled-down recurrent init, GRU/LSTM.)
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SumRNN(nn.Module):
    def __init__(self, hidden: int = 32):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, nonlinearity="relu", batch_first=True)
        self.out = nn.Linear(hidden, 1)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.eye(hidden) * 1.2)

    def forward(self, x):
        return self.out(self.rnn(x)[0][:, -1])


def target(seed: int = 0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(1200, 60, 1, generator=gen)
    y = x.sum(1) / 60 ** 0.5                   # the running sum, standardised
    return {
        "model": SumRNN(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(x[:1000], y[:1000]), batch_size=32, shuffle=True),
        "val_data": DataLoader(TensorDataset(x[1000:], y[1000:]), batch_size=200),
    }
