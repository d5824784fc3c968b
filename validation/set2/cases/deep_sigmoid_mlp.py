"""A 10-hidden-layer MLP with sigmoid activations everywhere, plain SGD: gradients reaching the
first layers are ~1e-6 of those at the top, and the loss hardly moves."""
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, TensorDataset


class DeepSigmoidNet(nn.Module):
    def __init__(self, d_in=20, width=64, depth=10, n_cls=3):
        super().__init__()
        layers, d = [], d_in
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.Sigmoid()]
            d = width
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(width, n_cls)

    def forward(self, x):
        return self.classifier(self.features(x))


def target(seed=0):
    torch.manual_seed(seed)
    X, y = make_classification(n_samples=1500, n_features=20, n_informative=8, n_classes=3,
                               class_sep=1.5, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    return {
        "model": DeepSigmoidNet(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "train_data": DataLoader(TensorDataset(X[:1200], y[:1200]), batch_size=64, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(X[1200:], y[1200:]), batch_size=300),
    }
