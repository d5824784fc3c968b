"""Vanilla ReLU RNN over 60-step sequences, predicting the total of the sequence."""
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader


class SumRNN(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, nonlinearity="relu", batch_first=True)
        self.readout = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.readout(out[:, -1]).squeeze(-1)


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1500, 60, 1, generator=g)
    y = x.sum(dim=(1, 2))
    y = (y - y.mean()) / y.std()
    model = SumRNN()
    # identity-style recurrent init (Le et al. 2015, "IRNN") so the RNN can remember the sum
    with torch.no_grad():
        model.rnn.weight_hh_l0.copy_(torch.eye(64))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-3, momentum=0.9),
        "train_data": DataLoader(TensorDataset(x[:1200], y[:1200]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(x[1200:], y[1200:]), batch_size=300),
        "task": "regression",
    }
