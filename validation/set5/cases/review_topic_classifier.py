import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

VOCAB, SEQ, N_CLASSES = 300, 24, 3


def make_reviews(n, seed):
    g = torch.Generator().manual_seed(seed)
    labels = torch.multinomial(torch.tensor([0.7, 0.2, 0.1]), n, replacement=True, generator=g)
    tokens = torch.randint(1, VOCAB, (n, SEQ), generator=g)
    # each class has a handful of cue words that show up in its reviews
    cues = torch.arange(N_CLASSES * 8).view(N_CLASSES, 8) + 10
    for i in range(n):
        k = int(torch.randint(2, 5, (1,), generator=g))
        pos = torch.randperm(SEQ, generator=g)[:k]
        tokens[i, pos] = cues[labels[i], torch.randint(0, 8, (k,), generator=g)]
    return tokens, labels


class Reviews(Dataset):
    def __init__(self, n, seed):
        self.tokens, self.labels = make_reviews(n, seed)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.tokens[i], self.labels[i]


class BagClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.EmbeddingBag(VOCAB, 32, mode="mean")
        self.fc = nn.Linear(32, 64)
        self.classifier = nn.Linear(64, N_CLASSES)

    def forward(self, tokens):
        h = torch.relu(self.fc(self.emb(tokens)))
        return torch.softmax(self.classifier(h), dim=-1)


def target(seed=0):
    torch.manual_seed(seed)
    return {
        "model": BagClassifier(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(Reviews(2000, 0), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(Reviews(500, 1), batch_size=250),
        "task": "classification",
    }
