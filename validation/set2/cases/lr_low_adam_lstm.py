"""Token-sequence LSTM classifier with Adam at lr=1e-6 (typo for 1e-3?): the loss sits at ln(3)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class TopicLSTM(nn.Module):
    def __init__(self, vocab=40, emb=24, hidden=48, n_cls=3):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = nn.LSTM(emb, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_cls)

    def forward(self, tok):
        _, (h, _) = self.rnn(self.emb(tok))
        return self.fc(h[-1])


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    n, L = 1500, 16
    y = torch.randint(0, 3, (n,), generator=g)
    # each topic draws its tokens from its own slice of the vocabulary plus shared noise tokens
    topical = 10 + 10 * y.unsqueeze(1) + torch.randint(0, 10, (n, L), generator=g)
    noise = torch.randint(1, 10, (n, L), generator=g)
    x = torch.where(torch.rand(n, L, generator=g) < 0.5, topical, noise)
    return {
        "model": TopicLSTM(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-6),
        "train_data": DataLoader(TensorDataset(x[:1200], y[:1200]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(x[1200:], y[1200:]), batch_size=300),
    }
