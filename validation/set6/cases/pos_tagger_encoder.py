import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

PAD_ID = 0
VOCAB = 20
SEQ_LEN = 32


class TaggingDataset(Dataset):
    """Each sentence starts with a 'topic' token (2..5); every token's tag depends on the topic and on the token."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.full((n, SEQ_LEN), PAD_ID, dtype=torch.long)
        self.tags = torch.full((n, SEQ_LEN), -100, dtype=torch.long)
        for i in range(n):
            L = int(torch.randint(4, 12, (1,), generator=g))
            topic = int(torch.randint(2, 6, (1,), generator=g))
            toks = torch.randint(6, VOCAB, (L - 1,), generator=g)
            self.ids[i, 0] = topic
            self.ids[i, 1:L] = toks
            k = topic - 2
            self.tags[i, 0] = 2 * k
            self.tags[i, 1:L] = 2 * k + (toks % 2)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return self.ids[i], self.tags[i]


class Tagger(nn.Module):
    def __init__(self, d=48, n_tags=8):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d, padding_idx=PAD_ID)
        self.pos = nn.Embedding(SEQ_LEN, d)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=96, dropout=0.1, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.out = nn.Linear(d, n_tags)

    def forward(self, ids):
        pos = torch.arange(ids.size(1), device=ids.device)
        h = self.tok(ids) + self.pos(pos)
        h = self.enc(h, src_key_padding_mask=ids.eq(PAD_ID))
        return self.out(h)


def target(seed=0):
    torch.manual_seed(seed)
    train = DataLoader(TaggingDataset(1200, seed), batch_size=32, shuffle=True,
                       generator=torch.Generator().manual_seed(seed))
    val = DataLoader(TaggingDataset(300, seed + 1000), batch_size=100)
    ce = nn.CrossEntropyLoss(ignore_index=-100)
    return {
        "model": Tagger(),
        "loss_fn": lambda logits, tags: ce(logits.reshape(-1, logits.size(-1)), tags.reshape(-1)),
        "optimizer": lambda p: torch.optim.Adam(p, lr=2e-3),
        "train_data": train,
        "val_data": val,
        "task": "sequence",
        "ignore_index": -100,
    }
