# Binary problem with one output unit trained with CrossEntropyLoss and float 0/1 targets of shape
# (N, 1).  CE treats the targets as probabilities over a single class, so log_softmax is 0 and the
# loss is exactly 0 from step one: nothing is learnt.  Should be BCEWithLogitsLoss.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).unsqueeze(1))
    model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(ds, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "binary",
    }
