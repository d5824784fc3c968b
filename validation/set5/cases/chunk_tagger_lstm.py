import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

VOCAB, N_TAGS, MAX_LEN, PAD, IGNORE = 160, 5, 30, 0, -100
WORD_TAG = torch.randint(1, N_TAGS, (VOCAB,), generator=torch.Generator().manual_seed(99)) - 1


class TaggedSentences(Dataset):
    """Synthetic tagging corpus: the tag of a word depends on the word and on its left neighbour."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.words = torch.full((n, MAX_LEN), PAD, dtype=torch.long)
        self.tags = torch.full((n, MAX_LEN), IGNORE, dtype=torch.long)
        for i in range(n):
            length = int(torch.randint(6, MAX_LEN, (1,), generator=g))
            w = torch.randint(1, VOCAB, (length,), generator=g)
            t = WORD_TAG[w].clone()
            t[1:] = torch.where(w[:-1] % 3 == 0, (t[1:] + 1) % N_TAGS, t[1:])
            self.words[i, :length] = w
            self.tags[i, :length] = t

    def __len__(self):
        return len(self.words)

    def __getitem__(self, i):
        return self.words[i], self.tags[i]


class ChunkTagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 32, padding_idx=PAD)
        self.rnn = nn.LSTM(32, 48, batch_first=True, bidirectional=True)
        self.out = nn.Linear(96, N_TAGS)

    def forward(self, words):
        h, _ = self.rnn(self.emb(words))
        return self.out(h)


class SeqCE(nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = nn.CrossEntropyLoss(ignore_index=IGNORE)

    def forward(self, logits, tags):
        return self.ce(logits.reshape(-1, logits.size(-1)), tags.reshape(-1))


def target(seed=0):
    torch.manual_seed(seed)
    return {
        "model": ChunkTagger(),
        "loss_fn": SeqCE(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=2e-3),
        "train_data": DataLoader(TaggedSentences(1000, 0), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TaggedSentences(250, 1), batch_size=100),
        "task": "sequence",
        "ignore_index": IGNORE,
    }
