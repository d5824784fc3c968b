import math
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

PAD, CLS, VOCAB, MAXLEN = 0, 1, 24, 16
D_MODEL, N_LAYERS = 64, 6


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


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, D_MODEL)
        self.pos = nn.Parameter(torch.randn(MAXLEN + 1, D_MODEL) * 0.02)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(D_MODEL, 4, 2 * D_MODEL, 0.1, batch_first=True),
            N_LAYERS, enable_nested_tensor=False)
        self.fc = nn.Linear(D_MODEL, 2)

    def forward(self, x):
        h = self.tok(x) * math.sqrt(D_MODEL) + self.pos
        h = self.encoder(h, src_key_padding_mask=(x == PAD))
        return self.fc(h[:, 0])


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x, y = make_sequences(1500, g)
    xv, yv = make_sequences(300, g)
    return {
        "model": Classifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=5e-3),
        "train_data": DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(xv, yv), batch_size=150),
        "task": "classification",
    }
