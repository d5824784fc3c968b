"""Padding counted in the loss: a GRU tagger whose padding positions are
labelled with the pad tag 0 and scored like any other tag.

Token IDs are padded with 0 at the end and so are the tags: tag 0 means
"padding" and the real tags are 1..5. CrossEntropyLoss() has no
ignore_index for it, so about 40% of every batch's loss is the easy
prediction "this is padding" (the input there is the pad token), the loss
falls fast for that reason alone and the real tags get a diluted share of
the gradient.
(Fix: label the padding -100, or CrossEntropyLoss(ignore_index=0).)
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
        self.head = nn.Linear(48, TAGS + 1)        # tag 0 is padding

    def forward(self, ids):
        h, _ = self.rnn(self.embed(ids))
        return self.head(h)                       # (B, T, TAGS + 1)


def target(seed: int = 0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    ids, mask = padded_tokens(1024, g)
    y = (tags(ids, mask, TAGS, pad_label=-1) + 1)          # real tags 1..5, padding 0
    vids, vmask = padded_tokens(256, g)
    vy = (tags(vids, vmask, TAGS, pad_label=-1) + 1)
    ce = nn.CrossEntropyLoss()                             # <- padding (tag 0) counts
    return {
        "model": Tagger(),
        "loss_fn": lambda out, t: ce(out.reshape(-1, out.shape[-1]), t.reshape(-1)),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train_data": DataLoader(TensorDataset(ids, y), batch_size=32, shuffle=True),
        "val_data": DataLoader(TensorDataset(vids, vy), batch_size=64),
        "task": "sequence",
    }
