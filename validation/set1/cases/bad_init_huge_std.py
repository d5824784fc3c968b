# Weights drawn from N(0, 1) "because that's what randn gives" in a 4-layer tanh MLP with 256-wide
# layers.  Pre-activations are ~16x too large: tanh units saturate and the initial logits are huge
# (loss ~20 instead of ~2.3); it takes hundreds of steps just to undo the init and ends far behind a
# default-initialised copy of the same net.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(64, 256), nn.Tanh(), nn.Linear(256, 256), nn.Tanh(),
                          nn.Linear(256, 256), nn.Tanh(), nn.Linear(256, 10))
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=1.0)
            nn.init.zeros_(m.bias)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train_data": DataLoader(ds, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
