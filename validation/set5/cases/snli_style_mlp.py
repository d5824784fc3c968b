import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

OPTIONS = {"n_in": 20, "n_hid": 64, "n_layers": 3, "act": "ReLU"}


class PairNet(nn.Module):
    def __init__(self, options):
        super().__init__()
        self.inp = [nn.Linear(options["n_in"], options["n_hid"]), getattr(nn, options["act"])()]
        self.hids = []
        for _ in range(options["n_layers"] - 1):
            self.hids.append([nn.Linear(options["n_hid"], options["n_hid"]), getattr(nn, options["act"])()])
        self.classifier = nn.Linear(options["n_hid"], 3)

    def forward(self, x):
        lin, act = self.inp
        h = act(lin(x))
        for lin, act in self.hids:
            h = act(lin(h))
        return self.classifier(h)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=2400, n_features=20, n_informative=12, n_classes=3,
                               n_clusters_per_class=3, class_sep=1.5, random_state=17)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": PairNet(OPTIONS),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train_data": DataLoader(TensorDataset(X[:2000], y[:2000]), batch_size=32, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[2000:], y[2000:]), batch_size=400),
        "task": "classification",
    }
