"""Toy POS-style tagger: BiGRU over variable-length generated sentences,
padded to a fixed length with token 0 / tag 0."""
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

VOCAB, N_TAGS, MAX_LEN = 40, 5, 30
PAD = 0


class TagData(Dataset):
    """tag of a token = its id mod 4 + 1 (tags 1..4), shifted by 1 if the previous token is 'special' (id<8)."""

    def __init__(self, n, gen):
        self.tokens = torch.full((n, MAX_LEN), PAD, dtype=torch.long)
        self.tags = torch.full((n, MAX_LEN), PAD, dtype=torch.long)
        lengths = torch.randint(4, 12, (n,), generator=gen)
        for i in range(n):
            L = int(lengths[i])
            tok = torch.randint(1, VOCAB, (L,), generator=gen)
            tag = tok % 4
            prev_special = torch.cat([torch.tensor([False]), tok[:-1] < 8])
            tag = (tag + prev_special.long()) % 4 + 1
            self.tokens[i, :L] = tok
            self.tags[i, :L] = tag

    def __len__(self):
        return len(self.tokens)

    def __getitem__(self, i):
        return self.tokens[i], self.tags[i]


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 32, padding_idx=PAD)
        self.rnn = nn.GRU(32, 48, batch_first=True, bidirectional=True)
        self.out = nn.Linear(96, N_TAGS)

    def forward(self, tokens):
        h, _ = self.rnn(self.emb(tokens))
        return self.out(h)                      # (B, T, N_TAGS)


class SeqCE(nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = nn.CrossEntropyLoss()

    def forward(self, logits, tags):
        return self.ce(logits.reshape(-1, logits.size(-1)), tags.reshape(-1))


def target(seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    train, val = TagData(1500, gen), TagData(300, gen)
    return {
        "model": Tagger(),
        "loss_fn": SeqCE(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=2e-3),
        "train_data": DataLoader(train, batch_size=32, shuffle=True, generator=gen),
        "val_data": DataLoader(val, batch_size=100),
        "task": "sequence",
    }
