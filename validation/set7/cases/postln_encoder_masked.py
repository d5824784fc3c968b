import math
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

PAD = 0
CLS = 1
VOCAB = 30
MAXLEN = 24


class Reviews(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.full((n, MAXLEN), PAD, dtype=torch.long)
        self.pad_mask = torch.ones(n, MAXLEN, dtype=torch.bool)
        self.label = torch.zeros(n, dtype=torch.long)
        for i in range(n):
            L = int(torch.randint(6, MAXLEN - 2, (1,), generator=g))
            tok = torch.randint(2, VOCAB, (L,), generator=g)
            self.ids[i, 0] = CLS
            self.ids[i, 1:L + 1] = tok
            self.pad_mask[i, :L + 1] = False
            self.label[i] = int((tok == 5).sum() > (tok == 6).sum())

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return self.ids[i], self.pad_mask[i], self.label[i]


class Classifier(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d, padding_idx=PAD)
        self.pos = nn.Parameter(torch.zeros(1, MAXLEN, d))
        nn.init.normal_(self.pos, std=0.02)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=128, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, 2)

    def forward(self, ids, key_padding_mask):
        h = self.tok(ids) * math.sqrt(self.tok.embedding_dim) + self.pos[:, : ids.size(1)]
        h = self.encoder(h, src_key_padding_mask=key_padding_mask)
        return self.head(h[:, 0])


def split_batch(batch):
    ids, pad_mask, label = batch
    return (ids, pad_mask), label


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    warmup, total = 100, 1000

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        return max(0.05, 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup))))

    return {
        "model": Classifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=5e-4, weight_decay=0.01),
        "scheduler": lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda),
        "scheduler_interval": "step",
        "train_data": DataLoader(Reviews(2000, seed), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(Reviews(400, seed + 1000), batch_size=100),
        "split_batch": split_batch,
        "task": "classification",
    }
