"""Sentiment-like classifier on synthetic token sequences: Embedding + LSTM.

Tokens 1..5 are "positive" words, 6..10 "negative" words, 11..49 filler.
The label is whether positives outnumber negatives. Healthy set-up.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

VOCAB, SEQ = 50, 20


def make_sequences(n, g):
    x = torch.randint(11, VOCAB, (n, SEQ), generator=g)
    pos = torch.randint(0, 5, (n,), generator=g)
    neg = torch.randint(0, 5, (n,), generator=g)
    neg = torch.where(neg == pos, (neg + 1) % 5, neg)  # no ties
    for i in range(n):
        slots = torch.randperm(SEQ, generator=g)[: pos[i] + neg[i]]
        words = torch.cat([torch.randint(1, 6, (int(pos[i]),), generator=g),
                           torch.randint(6, 11, (int(neg[i]),), generator=g)])
        x[i, slots] = words
    y = (pos > neg).long()
    return x, y


class SentimentLSTM(nn.Module):
    def __init__(self, vocab=VOCAB, emb=32, hidden=64):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb, padding_idx=0)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 2)

    def forward(self, tokens):
        h, _ = self.lstm(self.embed(tokens))
        return self.out(h.mean(dim=1))


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x, y = make_sequences(3000, g)
    train = TensorDataset(x[:2400], y[:2400])
    val = TensorDataset(x[2400:], y[2400:])
    return {
        "model": SentimentLSTM(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=2e-3),
        "train_data": DataLoader(train, batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(val, batch_size=300),
        "task": "classification",
    }
