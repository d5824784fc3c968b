import math
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

VOCAB = 40
PAD = 0
MAX_T = 30


def polarity_table():
    pol = torch.where(torch.arange(VOCAB) % 2 == 0, 1.0, -1.0)
    pol[PAD] = 0
    pol[1::7] = 0
    return pol


def make_reviews(n, seed):
    g = torch.Generator().manual_seed(seed)
    pol = polarity_table()
    X = torch.zeros(n, MAX_T, dtype=torch.long)
    y = torch.zeros(n, dtype=torch.long)
    for i in range(n):
        L = int(torch.randint(5, 21, (1,), generator=g))
        toks = torch.randint(1, VOCAB, (L,), generator=g)
        X[i, :L] = toks
        y[i] = int(pol[toks].sum() > 0)
    return X, y


class AttentionPooling(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.q = nn.Parameter(torch.randn(d) / math.sqrt(d))
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)

    def forward(self, h, pad_mask):
        scores = self.k(h) @ self.q / math.sqrt(h.size(-1))
        scores = scores.masked_fill(pad_mask == 0, -1e9)
        w = torch.softmax(scores, dim=-1)
        return (w.unsqueeze(-1) * self.v(h)).sum(1)


class ReviewModel(nn.Module):
    def __init__(self, d=48):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d, padding_idx=PAD)
        self.ff = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.LayerNorm(d))
        self.pool = AttentionPooling(d)
        self.out = nn.Linear(d, 2)

    def forward(self, tokens):
        pad_mask = tokens == PAD
        h = self.ff(self.emb(tokens))
        return self.out(self.pool(h, pad_mask))


def target(seed=0):
    torch.manual_seed(seed)
    Xtr, ytr = make_reviews(2000, seed)
    Xva, yva = make_reviews(400, seed + 1)
    return {
        "model": ReviewModel(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=2e-3),
        "train_data": DataLoader(TensorDataset(Xtr, ytr), batch_size=50, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(Xva, yva), batch_size=200),
        "task": "classification",
    }
