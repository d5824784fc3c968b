import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

VOCAB = 26
PAD = 0
T = 24


def build(n, seed):
    g = torch.Generator().manual_seed(seed)
    rows = []
    for _ in range(n):
        L = int(torch.randint(5, 15, (1,), generator=g))
        marker = int(torch.randint(0, 4, (1,), generator=g))
        toks = torch.randint(6, VOCAB, (L,), generator=g)
        pos_m = int(torch.randint(0, L, (1,), generator=g))
        toks[pos_m] = 2 + marker
        ids = torch.full((T,), PAD, dtype=torch.long)
        ids[:L] = toks
        labels = torch.full((T,), -100, dtype=torch.long)
        labels[:L] = marker
        am = torch.zeros(T, dtype=torch.long)
        am[:L] = 1
        rows.append({"input_ids": ids, "attention_mask": am, "labels": labels})
    return rows


class MarkerTagger(nn.Module):
    def __init__(self, d=32, n_labels=4):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d, padding_idx=PAD)
        self.position = nn.Embedding(T, d)
        enc_layer = nn.TransformerEncoderLayer(d_model=d, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(enc_layer, num_layers=2, enable_nested_tensor=False)
        self.classifier = nn.Linear(d, n_labels)

    def forward(self, input_ids, attention_mask):
        x = self.embed(input_ids) + self.position.weight[: input_ids.size(1)]
        x = self.encoder(x, src_key_padding_mask=attention_mask.bool())
        return {"logits": self.classifier(x)}


class ListDataset(Dataset):
    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


def target(seed=0):
    torch.manual_seed(seed)
    ce = nn.CrossEntropyLoss(ignore_index=-100)

    def loss_fn(out, labels):
        logits = out["logits"]
        return ce(logits.flatten(0, 1), labels.flatten())

    return {
        "model": MarkerTagger(),
        "loss_fn": loss_fn,
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(ListDataset(build(1200, seed)), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(ListDataset(build(200, seed + 99)), batch_size=100),
        "split_batch": lambda b: ((b["input_ids"], b["attention_mask"]), b["labels"]),
        "task": "sequence",
        "ignore_index": -100,
    }
