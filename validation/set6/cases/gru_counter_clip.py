import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

VOCAB, LEN = 12, 20
CLIP = 1e-3


def sequences(n, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(1, VOCAB, (n, LEN), generator=g)
    y = ((x <= 5).sum(1) > (x > 6).sum(1)).long()
    return x, y


class GRUClassifier(nn.Module):
    def __init__(self, d=32, h=64):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d)
        self.gru = nn.GRU(d, h, batch_first=True)
        self.fc = nn.Linear(h, 2)

    def forward(self, x):
        _, hn = self.gru(self.emb(x))
        return self.fc(hn[-1])


def target(seed=0):
    torch.manual_seed(seed)
    x, y = sequences(2000, seed)
    xv, yv = sequences(400, seed + 1)

    def train_step(model, batch, optimizer, loss_fn):
        inp, lab = batch
        optimizer.zero_grad()
        loss = loss_fn(model(inp), lab)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=CLIP)
        optimizer.step()
        return loss.item()

    return {
        "model": GRUClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9),
        "train_data": DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(xv, yv), batch_size=200),
        "train_step": train_step,
        "task": "classification",
    }
