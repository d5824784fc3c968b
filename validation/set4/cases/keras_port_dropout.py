# Ported from an old TF1 script: keep_prob = 0.9 in every dropout layer.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

KEEP_PROB = 0.9


class PortedNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(64, 256), nn.ReLU(), nn.Dropout(KEEP_PROB),
            nn.Linear(256, 256), nn.ReLU(), nn.Dropout(KEEP_PROB),
            nn.Linear(256, 128), nn.ReLU(), nn.Dropout(KEEP_PROB),
            nn.Linear(128, 10),
        )

    def forward(self, x):
        return self.net(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=seed)
    sc = StandardScaler().fit(X_tr)
    g = torch.Generator().manual_seed(seed)
    ds = lambda a, b: TensorDataset(torch.tensor(sc.transform(a), dtype=torch.float32), torch.tensor(b))
    return {
        "model": PortedNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=1e-2),
        "train_data": DataLoader(ds(X_tr, y_tr), batch_size=64, shuffle=True, generator=g),
        "val_data": DataLoader(ds(X_te, y_te), batch_size=256),
        "task": "classification",
    }
