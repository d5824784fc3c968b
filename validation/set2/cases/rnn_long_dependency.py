"""Vanilla tanh RNN over 60 time steps where the label is decided by the first token only:
the gradient from the last step to the first vanishes and the loss stays at ln 2."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class FirstTokenRNN(nn.Module):
    def __init__(self, vocab=12, emb=16, hidden=32):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = nn.RNN(emb, hidden, nonlinearity="tanh", batch_first=True)
        self.out = nn.Linear(hidden, 2)

    def forward(self, tok):
        h, _ = self.rnn(self.emb(tok))
        return self.out(h[:, -1])


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    n, L = 1200, 60
    x = torch.randint(2, 12, (n, L), generator=g)
    y = torch.randint(0, 2, (n,), generator=g)
    x[:, 0] = y  # the signal: token 0 or 1 at the start
    return {
        "model": FirstTokenRNN(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(x[:1000], y[:1000]), batch_size=50, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(x[1000:], y[1000:]), batch_size=200),
    }
