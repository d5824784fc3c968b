"""Healthy: a small GRU tagger on padded sequences, padding labelled -100.

Token IDs are padded with 0 at the end; the tags at padding positions are
-100, which CrossEntropyLoss ignores by default, and the target declares it.
Outputs are (batch, time, tags), a tag per position (task "sequence").
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from _sequences import VOCAB, padded_tokens, tags

TAGS = 5


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 32, padding_idx=0)
        self.rnn = nn.GRU(32, 48, batch_first=True)
        self.head = nn.Linear(48, TAGS)

    def forward(self, ids):
        h, _ = self.rnn(self.embed(ids))
        return self.head(h)                       # (B, T, TAGS)


def target(seed: int = 0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    ids, mask = padded_tokens(1024, g)
    y = tags(ids, mask, TAGS, pad_label=-100)
    vids, vmask = padded_tokens(256, g)
    vy = tags(vids, vmask, TAGS, pad_label=-100)
    ce = nn.CrossEntropyLoss(ignore_index=-100)
    return {
        "model": Tagger(),
        "loss_fn": lambda out, t: ce(out.reshape(-1, out.shape[-1]), t.reshape(-1)),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train_data": DataLoader(TensorDataset(ids, y), batch_size=32, shuffle=True),
        "val_data": DataLoader(TensorDataset(vids, vy), batch_size=64),
        "task": "sequence",
        "ignore_index": -100,
    }
