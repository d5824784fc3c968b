import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

PAD_TOKEN = 0
IGNORE = -100
VOCAB = 40
NTAGS = 5
MAXLEN = 32


class TaggedSentences(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.tokens = torch.full((n, MAXLEN), PAD_TOKEN, dtype=torch.long)
        self.tags = torch.full((n, MAXLEN), IGNORE, dtype=torch.long)
        for i in range(n):
            L = int(torch.randint(4, 14, (1,), generator=g))
            tok = torch.randint(1, VOCAB, (L,), generator=g)
            prev = torch.cat([torch.zeros(1, dtype=torch.long), tok[:-1]])
            self.tokens[i, :L] = tok
            self.tags[i, :L] = (tok + prev) % NTAGS

    def __len__(self):
        return len(self.tokens)

    def __getitem__(self, i):
        return {"tokens": self.tokens[i], "tags": self.tags[i]}


class LSTMTagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 32, padding_idx=PAD_TOKEN)
        self.lstm = nn.LSTM(32, 64, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(0.1)
        self.out = nn.Linear(128, NTAGS)

    def forward(self, tokens):
        h, _ = self.lstm(self.emb(tokens))
        return self.out(self.drop(h))


class TokenCE(nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = nn.CrossEntropyLoss(ignore_index=IGNORE)

    def forward(self, logits, tags):
        return self.ce(logits.float().reshape(-1, logits.size(-1)), tags.reshape(-1))


def split_batch(batch):
    return batch["tokens"], batch["tags"]


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    tokens, tags = split_batch(batch)
    optimizer.zero_grad(set_to_none=True)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        logits = model(tokens)
    loss = loss_fn(logits, tags)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    return loss.detach()


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    return {
        "model": LSTMTagger(),
        "loss_fn": TokenCE(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=3e-3, weight_decay=0.01),
        "train_data": DataLoader(TaggedSentences(1500, seed), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(TaggedSentences(300, seed + 1000), batch_size=100),
        "split_batch": split_batch,
        "train_step": train_step,
        "task": "sequence",
        "ignore_index": IGNORE,
    }
