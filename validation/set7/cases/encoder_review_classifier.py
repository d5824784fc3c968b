import math
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

PAD = 0
CLS = 1
VOCAB = 30
MAXLEN = 24


class ReviewDataset(Dataset):
    """[CLS] + tokens + padding; label 1 when token 5 occurs more often than token 6."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.full((n, MAXLEN), PAD, dtype=torch.long)
        self.mask = torch.zeros(n, MAXLEN, dtype=torch.long)
        self.label = torch.zeros(n, dtype=torch.long)
        for i in range(n):
            L = int(torch.randint(6, MAXLEN - 2, (1,), generator=g))
            tok = torch.randint(2, VOCAB, (L,), generator=g)
            self.ids[i, 0] = CLS
            self.ids[i, 1:L + 1] = tok
            self.mask[i, :L + 1] = 1
            self.label[i] = int((tok == 5).sum() > (tok == 6).sum())

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.label[i]}


class EncoderClassifier(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Embedding(MAXLEN, d)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=128, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, 2)

    def forward(self, input_ids, attention_mask):
        pos = torch.arange(input_ids.size(1), device=input_ids.device)
        h = self.tok(input_ids) + self.pos(pos)
        h = self.encoder(h, src_key_padding_mask=attention_mask.bool())
        return self.head(h[:, 0])


def split_batch(batch):
    return {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}, batch["labels"]


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    total_steps, warmup = 600, 60

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        p = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, p)))

    return {
        "model": EncoderClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
        "scheduler": lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda),
        "scheduler_interval": "step",
        "train_data": DataLoader(ReviewDataset(2000, seed), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(ReviewDataset(400, seed + 1000), batch_size=100),
        "split_batch": split_batch,
        "task": "classification",
    }
