import torch
import torch.nn as nn
from sklearn.datasets import make_multilabel_classification
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, Dataset


class TagDataset(Dataset):
    def __init__(self, X, Y):
        self.X = torch.tensor(X, dtype=torch.float32)
        self.Y = torch.tensor(Y, dtype=torch.float32)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return {"features": self.X[i], "tags": self.Y[i], "index": i}


class TagModel(nn.Module):
    def __init__(self, n_in=40, n_tags=8):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(n_in, 128), nn.LayerNorm(128), nn.GELU(), nn.Dropout(0.1),
                                      nn.Linear(128, 128), nn.GELU())
        self.tag_head = nn.Linear(128, n_tags)

    def forward(self, features):
        h = self.backbone(features)
        return {"logits": self.tag_head(h), "embedding": h}


def target(seed=0):
    torch.manual_seed(seed)
    X, Y = make_multilabel_classification(n_samples=2200, n_features=40, n_classes=8, n_labels=3,
                                          allow_unlabeled=False, random_state=seed)
    X = StandardScaler().fit_transform(X)
    bce = nn.BCEWithLogitsLoss()
    return {
        "model": TagModel(),
        "loss_fn": lambda out, tags: bce(out["logits"], tags),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.02),
        "train_data": DataLoader(TagDataset(X[:1800], Y[:1800]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TagDataset(X[1800:], Y[1800:]), batch_size=200),
        "split_batch": lambda b: ({"features": b["features"]}, b["tags"]),
        "task": "multilabel",
    }
