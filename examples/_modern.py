"""Shared pieces of today's-training examples: digits loaders and an MLP, a
small regression on a fine scale, and a tiny sequence classifier.

Everything is generated or ships with scikit-learn: nothing is downloaded.
"""
import math

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from loss_advisor.examples._data import loader, split


def digits(seed=0, batch_size=32, dtype=torch.float32):
    """Train and validation loaders over the digits (pixels scaled to [0, 1])."""
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    train, val = loader(x_tr, y_tr, batch_size=batch_size), loader(x_va, y_va, batch_size=256, shuffle=False)
    if dtype != torch.float32:
        for data in (train, val):
            data.dataset.tensors = (data.dataset.tensors[0].to(dtype), data.dataset.tensors[1])
    return train, val


def mlp():
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def fine_regression(seed=0, outputs=1024, batch_size=64):
    """A dense regression whose targets are on a fine scale (about 1e-3, as
    displacements in metres or returns are): 1024 outputs per example, so
    the mean squared error spreads each gradient over 65536 values."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(2560, 64, generator=gen)
    w = torch.randn(64, outputs, generator=gen) / 8
    y = (x @ w) * 1e-3
    train = DataLoader(TensorDataset(x[:2048], y[:2048]), batch_size=batch_size, shuffle=True,
                       generator=torch.Generator().manual_seed(seed))
    val = DataLoader(TensorDataset(x[2048:], y[2048:]), batch_size=256)
    return train, val


def fine_regression_model(outputs=1024):
    """An MLP whose last layer starts at the targets' scale."""
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, outputs))
    with torch.no_grad():
        model[-1].weight.mul_(1e-2)
        model[-1].bias.zero_()
    return model


PAD = 0


class _Sequences(torch.utils.data.Dataset):
    """({"input_ids", "attention_mask"}, label) pairs, as a tokenizer and a
    Hugging Face-style collator give them (attention_mask 1 = a real token)."""

    def __init__(self, tokens, labels):
        self.tokens, self.labels = torch.from_numpy(tokens), torch.from_numpy(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        ids = self.tokens[i]
        return {"input_ids": ids, "attention_mask": (ids != PAD).long()}, self.labels[i]


def sequences(seed=0, n=1536, length=16, vocab=12, batch_size=32):
    """Padded token sequences (PAD = 0) of 4 to 16 tokens with their attention
    masks; the label says whether token 1 occurs more often than token 2."""
    rng = np.random.RandomState(seed)
    x = np.zeros((n, length), dtype=np.int64)
    y = np.zeros(n, dtype=np.int64)
    for i in range(n):
        k = rng.randint(4, length + 1)
        tokens = rng.randint(1, vocab, size=k)
        x[i, :k] = tokens
        y[i] = int((tokens == 1).sum() > (tokens == 2).sum())
    cut = int(n * 0.75)
    train = DataLoader(_Sequences(x[:cut], y[:cut]), batch_size=batch_size, shuffle=True,
                       generator=torch.Generator().manual_seed(seed))
    val = DataLoader(_Sequences(x[cut:], y[cut:]), batch_size=256)
    return train, val


class TinyTransformer(nn.Module):
    """Embedding, two encoder layers and a mean over the real tokens. It takes
    the attention mask (1 = real token) and hands PyTorch the key-padding
    mask it expects (True = padding)."""

    def __init__(self, vocab=12, d_model=32, layers=2, norm_first=True, length=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(length, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True,
                                           norm_first=norm_first)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, 2)

    def forward(self, input_ids, attention_mask):
        padding = attention_mask == 0          # PyTorch's key-padding mask: True = ignore
        h = self.encoder(self.embed(input_ids) + self.pos[:input_ids.shape[1]], src_key_padding_mask=padding)
        keep = attention_mask.unsqueeze(-1).to(h.dtype)
        return self.head((h * keep).sum(1) / keep.sum(1).clamp(min=1))


def warmup_cosine(warmup, total):
    """LambdaLR factor: linear warmup over `warmup` steps, then cosine to 0 at `total`."""
    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        return 0.5 * (1 + math.cos(math.pi * progress))
    return factor
