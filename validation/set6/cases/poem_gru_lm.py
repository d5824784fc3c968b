import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

PAD_TOKEN = 0
BOS = 1
N_TOKENS = 24
WIDTH = 48


class Lines(Dataset):
    def __init__(self, count, seed):
        g = torch.Generator().manual_seed(seed)
        self.data = []
        for _ in range(count):
            n = int(torch.randint(4, 12, (1,), generator=g))
            a = int(torch.randint(2, N_TOKENS, (1,), generator=g))
            b = int(torch.randint(2, N_TOKENS, (1,), generator=g))
            line = [BOS] + [a if k % 2 == 0 else b for k in range(n)]
            line = line + [PAD_TOKEN] * (WIDTH + 1 - len(line))
            t = torch.tensor(line)
            self.data.append((t[:-1], t[1:]))

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        return self.data[i]


class GRULM(nn.Module):
    def __init__(self, d=64):
        super().__init__()
        self.embedding = nn.Embedding(N_TOKENS, d)
        self.gru = nn.GRU(d, d, num_layers=1, batch_first=True)
        self.proj = nn.Linear(d, N_TOKENS)

    def forward(self, tokens):
        out, _ = self.gru(self.embedding(tokens))
        return self.proj(out)


def target(seed=0):
    torch.manual_seed(seed)
    crit = nn.CrossEntropyLoss()

    def lm_loss(logits, targets):
        return crit(logits.reshape(-1, N_TOKENS), targets.reshape(-1))

    return {
        "model": GRULM(),
        "loss_fn": lm_loss,
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(Lines(1500, seed), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(Lines(300, seed + 3), batch_size=100),
        "task": "language_modeling",
    }
