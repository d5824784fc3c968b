import math
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

PAD, CLS, VOCAB, MAXLEN = 0, 1, 24, 16
EPOCHS, BATCH = 10, 32


def make_sequences(n, gen):
    x = torch.full((n, MAXLEN + 1), PAD, dtype=torch.long)
    y = torch.zeros(n, dtype=torch.long)
    for i in range(n):
        L = int(torch.randint(4, MAXLEN + 1, (1,), generator=gen))
        toks = torch.randint(2, VOCAB, (L,), generator=gen)
        x[i, 0] = CLS
        x[i, 1:L + 1] = toks
        y[i] = int((toks < 13).sum() * 2 > L)
    return x, y


class EncoderClassifier(nn.Module):
    def __init__(self, d=32, heads=4, layers=2, classes=2):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(MAXLEN + 1, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, classes)

    def forward(self, x):
        h = self.emb(x) + self.pos[: x.size(1)]
        h = self.encoder(h, src_key_padding_mask=(x == PAD))
        return self.head(h[:, 0])


def target(seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    xtr, ytr = make_sequences(1500, gen)
    xva, yva = make_sequences(300, gen)
    train = DataLoader(TensorDataset(xtr, ytr), batch_size=BATCH, shuffle=True, generator=torch.Generator().manual_seed(seed))
    val = DataLoader(TensorDataset(xva, yva), batch_size=128)
    steps = EPOCHS * len(train)
    warmup = len(train)

    def lr_lambda(s):
        if s < warmup:
            return (s + 1) / warmup
        p = (s - warmup) / max(1, steps - warmup)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, p)))

    return {
        "model": EncoderClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=0.01),
        "scheduler": lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda),
        "scheduler_interval": "step",
        "train_data": train,
        "val_data": val,
        "task": "classification",
    }
