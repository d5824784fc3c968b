import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

VOCAB, MAX_LEN, CLS, PAD = 120, 32, 1, 0


class Tickets(Dataset):
    """Route a ticket to team 1 when it mentions word 7 more often than word 9."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.input_ids = torch.full((n, MAX_LEN), PAD, dtype=torch.long)
        self.attention_mask = torch.zeros((n, MAX_LEN), dtype=torch.long)
        self.labels = torch.zeros(n, dtype=torch.long)
        for i in range(n):
            length = int(torch.randint(8, MAX_LEN - 2, (1,), generator=g))
            body = torch.randint(2, VOCAB, (length,), generator=g)
            k7, k9 = torch.randint(0, 5, (2,), generator=g).tolist()
            while k7 == k9:
                k9 = int(torch.randint(0, 5, (1,), generator=g))
            pos = torch.randperm(length, generator=g)[: k7 + k9]
            body[pos[:k7]] = 7
            body[pos[k7:]] = 9
            self.input_ids[i, 0] = CLS
            self.input_ids[i, 1:length + 1] = body
            self.attention_mask[i, : length + 1] = 1
            self.labels[i] = int((body == 7).sum() > (body == 9).sum())

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.input_ids[i], "attention_mask": self.attention_mask[i], "labels": self.labels[i]}


class Router(nn.Module):
    def __init__(self, d=64):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Parameter(torch.randn(MAX_LEN, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=128, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(d, 2)

    def forward(self, input_ids, attention_mask):
        h = self.tok(input_ids) + self.pos[: input_ids.size(1)]
        h = self.encoder(h, src_key_padding_mask=attention_mask.bool())
        return self.head(h[:, 0])


def target(seed=0):
    torch.manual_seed(seed)
    return {
        "model": Router(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=5e-4, weight_decay=0.01),
        "train_data": DataLoader(Tickets(1500, 0), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(Tickets(300, 1), batch_size=100),
        "split_batch": lambda b: ({"input_ids": b["input_ids"], "attention_mask": b["attention_mask"]}, b["labels"]),
        "task": "classification",
    }
