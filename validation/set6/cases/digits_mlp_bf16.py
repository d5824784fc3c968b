import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


class DigitsMLP(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.GELU(), nn.Dropout(0.1),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, 10),
        )

    def forward(self, x):
        return self.net(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed)
    sc = StandardScaler().fit(Xtr)
    T = lambda a: torch.tensor(sc.transform(a), dtype=torch.float32)

    def train_step(model, batch, optimizer, loss_fn):
        inputs, labels = batch
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            logits = model(inputs)
            loss = loss_fn(logits, labels)
        loss.backward()
        optimizer.step()
        return loss

    return {
        "model": DigitsMLP(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        "train_data": DataLoader(TensorDataset(T(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(T(Xva), torch.tensor(yva)), batch_size=360),
        "train_step": train_step,
        "task": "classification",
    }
