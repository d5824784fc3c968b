"""Three-class problem with 90/8/2 class proportions and overlapping classes; no class weights."""
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(12, 48)
        self.l2 = nn.Linear(48, 3)

    def forward(self, x):
        return self.l2(torch.relu(self.l1(x)))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2500, n_features=12, n_informative=4, n_classes=3,
                               n_clusters_per_class=1, weights=[0.90, 0.08, 0.02], class_sep=0.7,
                               flip_y=0.0, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return {
        "model": Net(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(f(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(f(Xva), torch.tensor(yva)), batch_size=500),
    }
