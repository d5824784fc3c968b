# Fraud-style problem: 97% negatives, 3% positives, weakly separated, plain CrossEntropyLoss with no
# weights and no resampling.  Loss drops quickly to a low value by predicting "negative" for everything;
# the minority class is never learnt.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=3000, n_features=15, n_informative=4, n_redundant=2,
                               weights=[0.97, 0.03], class_sep=0.6, flip_y=0.0, random_state=seed)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(15, 32), nn.ReLU(), nn.Linear(32, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "train_data": DataLoader(TensorDataset(f(sc.transform(Xtr)), torch.tensor(ytr)), batch_size=64,
                                 shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(f(sc.transform(Xva)), torch.tensor(yva)), batch_size=256),
        "task": "classification",
    }
