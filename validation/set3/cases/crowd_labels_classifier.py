"""4-class classifier; labels come from a cheap crowd-sourcing round (simulated by make_classification)."""
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    torch.manual_seed(seed)
    # flip_y: fraction of samples whose class is assigned at random (annotator mistakes)
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=10, n_classes=4,
                               n_clusters_per_class=1, class_sep=2.0, flip_y=0.6, random_state=seed)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=seed)
    sc = StandardScaler().fit(X_tr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 4))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(TensorDataset(f(sc.transform(X_tr)), torch.tensor(y_tr)), batch_size=64,
                                 shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(f(sc.transform(X_va)), torch.tensor(y_va)), batch_size=500),
        "task": "classification",
    }
