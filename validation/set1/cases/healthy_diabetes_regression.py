# Diabetes regression, standardised X and y, MLP, MSELoss, Adam 1e-3. Nothing wrong.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed)
    xs = StandardScaler().fit(Xtr)
    ym, ysd = ytr.mean(), ytr.std()
    Xtr, Xva = xs.transform(Xtr), xs.transform(Xva)
    ytr, yva = (ytr - ym) / ysd, (yva - ym) / ysd
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    tr = TensorDataset(f(Xtr), f(ytr).unsqueeze(1))
    va = TensorDataset(f(Xva), f(yva).unsqueeze(1))
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        "train_data": DataLoader(tr, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(va, batch_size=64),
        "task": "regression",
    }
