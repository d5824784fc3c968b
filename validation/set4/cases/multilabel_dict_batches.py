"""Multi-label tagging of generated 'documents' (bag of 30 features, 5 tags),
dict batches from a custom Dataset."""
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader


class TagDataset(Dataset):
    def __init__(self, n, W, gen):
        self.x = torch.randn(n, 30, generator=gen)
        logits = self.x @ W
        self.tags = (logits + 0.3 * torch.randn(n, 5, generator=gen) > 0.5).float()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "tags": self.tags[i], "doc_id": i}


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(30, 128), nn.GELU(), nn.LayerNorm(128), nn.Linear(128, 5))

    def forward(self, x):
        return self.net(x)


def split_batch(batch):
    return {"x": batch["x"]}, batch["tags"]


def target(seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    W = torch.randn(30, 5, generator=gen) / 30 ** 0.5 * 2
    train, val = TagDataset(3000, W, gen), TagDataset(600, W, gen)
    return {
        "model": Tagger(),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
        "train_data": DataLoader(train, batch_size=64, shuffle=True, generator=gen),
        "val_data": DataLoader(val, batch_size=200),
        "split_batch": split_batch,
        "task": "multilabel",
    }
