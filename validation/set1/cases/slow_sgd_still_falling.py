# Plain SGD (no momentum) with a small but sensible lr on a standardised 4-class problem.
# The loss falls slowly but steadily: nothing is broken, it just needs more steps.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=8, n_redundant=4,
                               n_classes=4, n_clusters_per_class=1, class_sep=1.5, random_state=seed)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(20, 64), nn.Tanh(), nn.Linear(64, 4))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01),
        "train_data": DataLoader(ds, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
