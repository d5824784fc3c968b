"""make_classification (5 classes) MLP trained with bfloat16 autocast on CPU,
same step as on our accelerator boxes."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.seq = nn.Sequential(nn.Linear(24, 256), nn.GELU(), nn.Linear(256, 256), nn.GELU(), nn.Linear(256, 5))

    def forward(self, x):
        return self.seq(x)


def train_step(model, batch, optimizer, loss_fn):
    x, y = batch
    model.train()
    optimizer.zero_grad(set_to_none=True)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        logits = model(x)
    loss = loss_fn(logits.float(), y)
    loss.backward()
    optimizer.step()
    return loss.detach()


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=4000, n_features=24, n_informative=12, n_classes=5,
                               n_clusters_per_class=2, random_state=seed)
    sc = StandardScaler().fit(X[:3200])
    X = torch.tensor(sc.transform(X), dtype=torch.float32)
    y = torch.tensor(y)
    g = torch.Generator().manual_seed(seed)
    return {
        "model": MLP(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.05),
        "train_data": DataLoader(TensorDataset(X[:3200], y[:3200]), batch_size=128, shuffle=True, generator=g),
        "val_data": DataLoader(TensorDataset(X[3200:], y[3200:]), batch_size=800),
        "train_step": train_step,
        "task": "classification",
    }
