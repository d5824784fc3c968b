# Online learning by accident: batch_size=1 (a leftover from debugging) with SGD+momentum.
# Every step follows a single example's gradient; the per-step loss is a cloud between ~0.3 and ~2 that never settles.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=10, n_classes=5,
                               n_clusters_per_class=1, class_sep=1.0, flip_y=0.02, random_state=seed)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 5))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": DataLoader(ds, batch_size=1, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
