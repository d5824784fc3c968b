import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

P_DROP = 0.8


class DeepMLP(nn.Module):
    def __init__(self, n_in=24, width=128, n_out=5, p=P_DROP):
        super().__init__()
        layers = []
        for i in range(3):
            layers += [nn.Linear(n_in if i == 0 else width, width), nn.ReLU(), nn.Dropout(p)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(width, n_out)

    def forward(self, x):
        return self.classifier(self.features(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2400, n_features=24, n_informative=16, n_classes=5,
                               n_clusters_per_class=2, class_sep=1.2, random_state=seed)
    X = StandardScaler().fit_transform(X).astype("float32")
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    return {
        "model": DeepMLP(p=P_DROP),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:2000], y[:2000]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[2000:], y[2000:]), batch_size=400),
        "task": "classification",
    }
