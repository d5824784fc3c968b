# Fine-tuning-like set-up: a feature extractor "pretrained" on an auxiliary task (digit parity)
# is frozen on purpose; only the new 10-class head is trained. Nothing wrong.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.backbone(x))


def pretrain_backbone(backbone, X, y, seed):
    # stands in for "load pretrained weights": a quick auxiliary training on parity + >=5
    torch.manual_seed(seed)
    aux_head = nn.Linear(64, 4)
    aux_y = (y % 2) * 2 + (y >= 5).long()
    opt = torch.optim.Adam(list(backbone.parameters()) + list(aux_head.parameters()), lr=1e-2)
    for _ in range(80):
        opt.zero_grad()
        F.cross_entropy(aux_head(backbone(X)), aux_y).backward()
        opt.step()


def target(seed=0):
    torch.manual_seed(seed)
    d = load_digits()
    X = torch.tensor(d.data / 16.0, dtype=torch.float32)
    y = torch.tensor(d.target)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed)
    model = Net()
    pretrain_backbone(model.backbone, Xtr, ytr, seed)
    # freeze the pretrained feature extractor on purpose, train only the head
    for p in model.backbone.parameters():
        p.requires_grad = False
    torch.manual_seed(seed + 1)
    model.head.reset_parameters()
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam([p for p in params if p.requires_grad], lr=3e-3),
        "train_data": DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(Xva, yva), batch_size=128),
        "task": "classification",
    }
