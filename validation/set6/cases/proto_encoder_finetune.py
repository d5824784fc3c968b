import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

VOCAB, SEQ, N_CLASSES = 32, 12, 4


def data(n, seed):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, N_CLASSES, (n,), generator=g)
    x = torch.randint(4 + N_CLASSES, VOCAB, (n, SEQ), generator=g)
    hits = torch.rand(n, SEQ, generator=g) < 0.3
    x = torch.where(hits, (4 + y).unsqueeze(1).expand(-1, SEQ), x)
    return x, y


class ProtoClassifier(nn.Module):
    """Encoder + cosine similarity to learned class prototypes, CLIP-style temperature."""

    def __init__(self, d=48):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d)
        layer = nn.TransformerEncoderLayer(d, 4, 96, dropout=0.1, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.proj = nn.Linear(d, d)
        self.prototypes = nn.Parameter(torch.randn(N_CLASSES, d))
        self.logit_scale = nn.Parameter(torch.tensor(2.3))

    def forward(self, x):
        h = self.encoder(self.embed(x)).mean(1)
        z = F.normalize(self.proj(h), dim=-1)
        p = F.normalize(self.prototypes, dim=-1)
        return self.logit_scale.exp() * z @ p.t()


def target(seed=0):
    torch.manual_seed(seed)
    model = ProtoClassifier()
    for p in model.parameters():
        p.requires_grad_(False)
    model.logit_scale.requires_grad_(True)
    x, y = data(1600, seed)
    xv, yv = data(400, seed + 5)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01),
        "train_data": DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(xv, yv), batch_size=200),
        "task": "classification",
    }
