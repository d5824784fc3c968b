# "Accuracy-like" loss: MSE between argmax predictions and labels.  argmax has no gradient, so the
# user hit "element 0 of tensors does not require grad" and "fixed" it with loss.requires_grad_().
# The loss is now a leaf with no path to the weights: it never goes down.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler


def argmax_mse(logits, y):
    pred = logits.argmax(dim=1).float()
    loss = F.mse_loss(pred, y.float())
    loss.requires_grad_(True)
    return loss


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    return {
        "model": model,
        "loss_fn": argmax_mse,
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": DataLoader(ds, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
