# Vanilla tanh RNN on length-80 sequences where the label is decided by the FIRST time step only
# (the rest is distractor noise).  The gradient from the last step back to step 0 vanishes; the loss
# stays at ln(2).  (An LSTM/GRU or a shorter sequence would learn it.)
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make(n, g, T=80):
    x = torch.randn(n, T, 1, generator=g)
    y = (x[:, 0, 0] > 0).long()
    return x, y


class RNNClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(1, 32, batch_first=True, nonlinearity="tanh")
        self.fc = nn.Linear(32, 2)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    Xtr, ytr = make(1000, g)
    Xva, yva = make(200, g)
    return {
        "model": RNNClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(Xva, yva), batch_size=200),
        "task": "classification",
    }
