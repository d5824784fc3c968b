"""Running-sum regression with an IRNN (Le, Jaitly & Hinton 2015):
a vanilla ReLU RNN whose recurrent matrix starts at the identity, which the
paper shows can carry information over long sequences."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class IRNN(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, nonlinearity="relu", batch_first=True)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.eye(hidden))
            self.rnn.bias_hh_l0.zero_()
            self.rnn.bias_ih_l0.zero_()
            nn.init.normal_(self.rnn.weight_ih_l0, std=0.1)
        self.readout = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.readout(out[:, -1])


def make_data(n, T, gen):
    x = torch.rand(n, T, 1, generator=gen)
    y = x.sum(dim=1) / T ** 0.5
    y = y - y.mean()
    return x, y


def target(seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x, y = make_data(2000, 120, gen)
    return {
        "model": IRNN(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
        "train_data": DataLoader(TensorDataset(x[:1600], y[:1600]), batch_size=32, shuffle=True, generator=gen),
        "val_data": DataLoader(TensorDataset(x[1600:], y[1600:]), batch_size=400),
        "task": "regression",
    }
