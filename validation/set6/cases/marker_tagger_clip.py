import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

VOCAB = 26
PAD = 0
T = 24


class MarkerData(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.rows = []
        for _ in range(n):
            L = int(torch.randint(5, 15, (1,), generator=g))
            marker = int(torch.randint(0, 4, (1,), generator=g))
            toks = torch.randint(6, VOCAB, (L,), generator=g)
            toks[int(torch.randint(0, L, (1,), generator=g))] = 2 + marker
            ids = torch.full((T,), PAD, dtype=torch.long)
            ids[:L] = toks
            labels = torch.full((T,), -100, dtype=torch.long)
            labels[:L] = marker
            am = torch.zeros(T, dtype=torch.long)
            am[:L] = 1
            self.rows.append({"input_ids": ids, "attention_mask": am, "labels": labels})

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


class Tagger(nn.Module):
    def __init__(self, d=32, n_labels=4):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d, padding_idx=PAD)
        self.position = nn.Embedding(T, d)
        layer = nn.TransformerEncoderLayer(d_model=d, nhead=4, dim_feedforward=64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.classifier = nn.Linear(d, n_labels)

    def forward(self, input_ids, attention_mask):
        x = self.embed(input_ids) + self.position.weight[: input_ids.size(1)]
        x = self.encoder(x, src_key_padding_mask=attention_mask == 0)
        return self.classifier(x)


def train_step(model, batch, optimizer, loss_fn):
    optimizer.zero_grad()
    logits = model(batch["input_ids"], batch["attention_mask"])
    loss = loss_fn(logits, batch["labels"])
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    return loss.detach()


def target(seed=0):
    torch.manual_seed(seed)
    ce = nn.CrossEntropyLoss(ignore_index=-100)
    return {
        "model": Tagger(),
        "loss_fn": lambda logits, labels: ce(logits.transpose(1, 2), labels),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=0.05),
        "train_data": DataLoader(MarkerData(1200, seed), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(MarkerData(200, seed + 99), batch_size=100),
        "split_batch": lambda b: ((b["input_ids"], b["attention_mask"]), b["labels"]),
        "train_step": train_step,
        "task": "sequence",
        "ignore_index": -100,
    }
