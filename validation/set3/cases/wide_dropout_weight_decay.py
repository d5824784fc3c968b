"""A deliberately wide MLP on a small dataset, kept in check with dropout and AdamW weight decay."""
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=1000, n_features=20, n_informative=8, n_redundant=4,
                               n_classes=3, class_sep=1.5, random_state=seed)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    sc = StandardScaler().fit(X_tr)
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    train_ds = TensorDataset(to_t(sc.transform(X_tr)), torch.tensor(y_tr))
    val_ds = TensorDataset(to_t(sc.transform(X_va)), torch.tensor(y_va))

    model = nn.Sequential(
        nn.Linear(20, 512), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(512, 3),
    )
    g = torch.Generator().manual_seed(seed)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=3e-4, weight_decay=0.2),
        "train_data": DataLoader(train_ds, batch_size=32, shuffle=True, generator=g),
        "val_data": DataLoader(val_ds, batch_size=256),
        "task": "classification",
    }
