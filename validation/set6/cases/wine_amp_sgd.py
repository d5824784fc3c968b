import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


class WineNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.head = nn.Linear(64, 3)

    def forward(self, x):
        return self.head(self.body(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype("float32")
    ds = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    scaler = torch.amp.GradScaler("cpu")

    def train_step(model, batch, optimizer, loss_fn):
        x, t = batch
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.float16):
            loss = loss_fn(model(x), t)
        scaler.scale(loss).backward()
        optimizer.step()
        return loss.detach()

    return {
        "model": WineNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
        "train_data": DataLoader(ds, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "train_step": train_step,
        "task": "classification",
    }
