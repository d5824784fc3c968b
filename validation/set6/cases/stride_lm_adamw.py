import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

PAD = 0
V = 32
CTX = 24
LR = 0.1


def progressions(n, seed):
    """Token streams x_{t+1} = x_t + step (mod 30), step in {1,2,3}, variable length, right-padded."""
    g = torch.Generator().manual_seed(seed)
    seqs = torch.full((n, CTX + 1), PAD, dtype=torch.long)
    for i in range(n):
        L = int(torch.randint(10, CTX + 2, (1,), generator=g))
        start = int(torch.randint(0, 30, (1,), generator=g))
        step = int(torch.randint(1, 6, (1,), generator=g))
        seqs[i, :L] = (start + step * torch.arange(L)) % 30 + 2
    return seqs[:, :-1].clone(), seqs[:, 1:].clone()


class CausalLM(nn.Module):
    def __init__(self, d=64, n_layer=2, n_head=4):
        super().__init__()
        self.wte = nn.Embedding(V, d)
        self.wpe = nn.Embedding(CTX, d)
        block = nn.TransformerEncoderLayer(d, n_head, 4 * d, dropout=0.0, batch_first=True, norm_first=True, activation="gelu")
        self.blocks = nn.TransformerEncoder(block, n_layer, enable_nested_tensor=False)
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, V, bias=False)

    def forward(self, idx):
        T = idx.size(1)
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool, device=idx.device), diagonal=1)
        h = self.wte(idx) + self.wpe(torch.arange(T, device=idx.device))
        h = self.blocks(h, mask=causal, is_causal=True)
        return self.lm_head(self.ln_f(h))


def target(seed=0):
    torch.manual_seed(seed)
    x, y = progressions(1500, seed)
    xv, yv = progressions(300, seed + 50)
    ce = nn.CrossEntropyLoss(ignore_index=PAD)
    return {
        "model": CausalLM(),
        "loss_fn": lambda logits, tgt: ce(logits.view(-1, V), tgt.view(-1)),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=LR, weight_decay=0.01),
        "train_data": DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(xv, yv), batch_size=100),
        "task": "language_modeling",
        "ignore_index": PAD,
    }
