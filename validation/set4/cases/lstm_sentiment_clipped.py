"""Toy 'sentiment' LSTM over generated token sequences: label is 1 when the
sequence has more positive-word tokens (ids 2..11) than negative ones
(ids 12..21). Gradient clipping for stability, as usual for RNNs."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

VOCAB, SEQ = 50, 24


def make_corpus(n, gen):
    toks = torch.randint(2, VOCAB, (n, SEQ), generator=gen)
    pos = ((toks >= 2) & (toks < 12)).sum(1)
    neg = ((toks >= 12) & (toks < 22)).sum(1)
    return toks, (pos > neg).long()


class LSTMClassifier(nn.Module):
    def __init__(self, vocab=VOCAB, emb=32, hidden=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, tokens):
        _, (h, _) = self.lstm(self.emb(tokens))
        return self.head(h[-1])


MAX_NORM = 1e-4


def train_step(model, batch, optimizer, loss_fn):
    tokens, labels = batch
    model.train()
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(tokens), labels)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=MAX_NORM)
    optimizer.step()
    return loss.detach()


def target(seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    X, y = make_corpus(3000, gen)
    return {
        "model": LSTMClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:2500], y[:2500]), batch_size=64, shuffle=True, generator=gen),
        "val_data": DataLoader(TensorDataset(X[2500:], y[2500:]), batch_size=500),
        "train_step": train_step,
        "task": "classification",
    }
