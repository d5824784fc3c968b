"""GRU reads a noisy 1-d sequence and says whether its running sum ends above zero."""
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader


class SeqClassifier(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(input_size=1, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, seq):
        _, h_n = self.gru(seq)          # h_n: (1, B, H)
        return self.head(h_n[-1])


def make_sequences(n, length, gen):
    x = torch.randn(n, length, 1, generator=gen)
    y = (x.sum(dim=(1, 2)) > 0).long()
    return x, y


def target(seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x_tr, y_tr = make_sequences(2000, 12, gen)
    x_va, y_va = make_sequences(400, 12, gen)
    return {
        "model": SeqClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train_data": DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(x_va, y_va), batch_size=400),
        "task": "classification",
    }
