import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

PAD = 0
VOCAB = 36
MAX_LEN = 20
NUM_EPOCHS = 20
WARMUP_RATIO = 0.1


class TopicSequences(Dataset):
    """Label = which of 3 token groups occurs most often."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.zeros(n, MAX_LEN, dtype=torch.long)
        self.y = torch.zeros(n, dtype=torch.long)
        for i in range(n):
            L = int(torch.randint(6, MAX_LEN + 1, (1,), generator=g))
            toks = torch.randint(1, VOCAB, (L,), generator=g)
            groups = (toks - 1) * 3 // (VOCAB - 1)
            self.x[i, :L] = toks
            self.y[i] = torch.bincount(groups, minlength=3).argmax()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class TopicModel(nn.Module):
    def __init__(self, d=48):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d, padding_idx=PAD)
        self.pos = nn.Embedding(MAX_LEN, d)
        layer = nn.TransformerEncoderLayer(d, 4, 96, dropout=0.1, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(d, 3)

    def forward(self, x):
        pad = x == PAD
        h = self.encoder(self.embed(x) + self.pos.weight, src_key_padding_mask=pad)
        h = h.masked_fill(pad.unsqueeze(-1), 0.0).sum(1) / (~pad).sum(1, keepdim=True)
        return self.head(h)


def get_linear_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps):
    def lr_lambda(step):
        if step < num_warmup_steps:
            return float(step + 1) / float(max(1, num_warmup_steps))
        return max(0.0, float(num_training_steps - step) / float(max(1, num_training_steps - num_warmup_steps)))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)


def target(seed=0):
    torch.manual_seed(seed)
    train = DataLoader(TopicSequences(1600, seed), batch_size=32, shuffle=True,
                       generator=torch.Generator().manual_seed(seed))
    val = DataLoader(TopicSequences(300, seed + 11), batch_size=150)
    num_training_steps = NUM_EPOCHS
    num_warmup = max(1, int(WARMUP_RATIO * num_training_steps))
    return {
        "model": TopicModel(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=2e-3, weight_decay=0.01),
        "scheduler": lambda opt: get_linear_schedule_with_warmup(opt, num_warmup, num_training_steps),
        "scheduler_interval": "step",
        "train_data": train,
        "val_data": val,
        "task": "classification",
    }
