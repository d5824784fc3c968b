import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

VOCAB = 50
SEQ = 20


class TokenSentiment(Dataset):
    """Label = 1 if 'positive' tokens (1..10) outnumber 'negative' tokens (11..20)."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randint(1, VOCAB, (n, SEQ), generator=g)
        pos = ((self.x >= 1) & (self.x <= 10)).sum(1)
        neg = ((self.x >= 11) & (self.x <= 20)).sum(1)
        self.y = (pos > neg).long()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class LSTMClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 32)
        self.lstm = nn.LSTM(32, 64, batch_first=True)
        self.fc = nn.Linear(64, 2)

    def forward(self, x):
        _, (h, _) = self.lstm(self.emb(x))
        return self.fc(h[-1])


def train_step(model, batch, optimizer, loss_fn):
    model.train()
    x, y = batch
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1e-3)
    optimizer.step()
    return loss.detach()


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    return {
        "model": LSTMClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9),
        "train_data": DataLoader(TokenSentiment(2000, seed), batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(TokenSentiment(400, seed + 1000), batch_size=200),
        "train_step": train_step,
        "task": "classification",
    }
