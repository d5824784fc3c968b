import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

VOCAB, MAX_LEN, N_SLOTS = 30, 40, 6


class SlotData(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.items = []
        for _ in range(n):
            L = int(torch.randint(3, 10, (1,), generator=g))
            intent = int(torch.randint(0, 3, (1,), generator=g))
            words = torch.randint(4, VOCAB, (L,), generator=g)
            words[0] = 1 + intent
            slots = intent * 2 + (words >= 17).long()
            slots[0] = intent * 2
            ids = torch.zeros(MAX_LEN, dtype=torch.long)
            lab = torch.zeros(MAX_LEN, dtype=torch.long)
            ids[:L] = words
            lab[:L] = slots
            mask = torch.zeros(MAX_LEN, dtype=torch.long)
            mask[:L] = 1
            self.items.append({"input_ids": ids, "attention_mask": mask, "labels": lab})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


class BiGRUTagger(nn.Module):
    def __init__(self, d=48):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d, padding_idx=0)
        self.rnn = nn.GRU(d, d, batch_first=True, bidirectional=True)
        self.cls = nn.Linear(2 * d, N_SLOTS)

    def forward(self, input_ids, attention_mask):
        h, _ = self.rnn(self.emb(input_ids))
        return self.cls(h)


def slot_loss(logits, labels):
    return F.cross_entropy(logits.view(-1, N_SLOTS), labels.view(-1), ignore_index=-100)


def target(seed=0):
    torch.manual_seed(seed)
    train = DataLoader(SlotData(1000, seed), batch_size=25, shuffle=True,
                       generator=torch.Generator().manual_seed(seed))
    val = DataLoader(SlotData(250, seed + 7), batch_size=50)
    return {
        "model": BiGRUTagger(),
        "loss_fn": slot_loss,
        "optimizer": lambda p: torch.optim.AdamW(p, lr=2e-3, weight_decay=0.01),
        "train_data": train,
        "val_data": val,
        "split_batch": lambda b: ({"input_ids": b["input_ids"], "attention_mask": b["attention_mask"]}, b["labels"]),
        "task": "sequence",
    }
