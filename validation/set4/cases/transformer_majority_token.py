"""Tiny pre-LN transformer encoder: classify which of 4 marker tokens occurs
most often in a generated sequence. AdamW with a short linear warmup."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

VOCAB, SEQ, N_CLASSES = 32, 20, 4


def make_sequences(n, gen):
    toks = torch.randint(4, VOCAB, (n, SEQ), generator=gen)
    labels = torch.randint(0, N_CLASSES, (n,), generator=gen)
    for i in range(n):
        k = int(torch.randint(4, 8, (1,), generator=gen))
        pos = torch.randperm(SEQ, generator=gen)[:k + 3]
        toks[i, pos[:k]] = labels[i]                   # the majority marker
        others = torch.randint(0, N_CLASSES, (3,), generator=gen)
        toks[i, pos[k:]] = others                      # a few distractor markers
    counts = torch.stack([(toks == c).sum(1) for c in range(N_CLASSES)], 1)
    return toks, counts.argmax(1)


class TinyEncoder(nn.Module):
    def __init__(self, d_model=64, nhead=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model)
        self.pos = nn.Parameter(torch.zeros(1, SEQ, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=128, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.cls = nn.Linear(d_model, N_CLASSES)

    def forward(self, tokens):
        h = self.encoder(self.tok(tokens) + self.pos)
        return self.cls(self.norm(h.mean(1)))


def target(seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    X, y = make_sequences(2500, gen)
    return {
        "model": TinyEncoder(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
        "scheduler": lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 50)),
        "scheduler_interval": "step",
        "train_data": DataLoader(TensorDataset(X[:2000], y[:2000]), batch_size=64, shuffle=True, generator=gen),
        "val_data": DataLoader(TensorDataset(X[2000:], y[2000:]), batch_size=250),
        "task": "classification",
    }
