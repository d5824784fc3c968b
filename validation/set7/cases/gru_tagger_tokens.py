import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

PAD = 0
VOCAB = 40
NTAGS = 6
MAXLEN = 40


class TagDataset(Dataset):
    """Token sequences of varying length, padded to MAXLEN; the tag is a function of the token."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.tokens = torch.full((n, MAXLEN), PAD, dtype=torch.long)
        self.tags = torch.full((n, MAXLEN), PAD, dtype=torch.long)
        lengths = torch.randint(4, 12, (n,), generator=g)
        for i in range(n):
            L = int(lengths[i])
            tok = torch.randint(1, VOCAB, (L,), generator=g)
            prev = torch.cat([torch.zeros(1, dtype=torch.long), tok[:-1]])
            self.tokens[i, :L] = tok
            self.tags[i, :L] = 1 + ((tok + prev) % (NTAGS - 1))

    def __len__(self):
        return len(self.tokens)

    def __getitem__(self, i):
        return self.tokens[i], self.tags[i]


class GRUTagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 32, padding_idx=PAD)
        self.gru = nn.GRU(32, 64, batch_first=True, bidirectional=True)
        self.out = nn.Linear(128, NTAGS)

    def forward(self, tokens):
        h, _ = self.gru(self.emb(tokens))
        return self.out(h)


class SeqCE(nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = nn.CrossEntropyLoss()

    def forward(self, logits, tags):
        return self.ce(logits.reshape(-1, logits.size(-1)), tags.reshape(-1))


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    return {
        "model": GRUTagger(),
        "loss_fn": SeqCE(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=2e-3),
        "train_data": DataLoader(TagDataset(1500, seed), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(TagDataset(300, seed + 1000), batch_size=100),
        "task": "sequence",
    }
