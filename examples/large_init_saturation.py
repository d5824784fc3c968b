"""A poor initialisation that saturates the units: tanh layers drawn with std 1.

Copied from a tutorial that initialised "with the standard normal", the
scale is about eleven times Xavier's sqrt(1 / fan_in) for these 128-wide
layers: three quarters of the tanh outputs sit at +-1, where their slope is
nearly zero, the first loss is almost eight times the 2.3 of a fair guess,
and the loss barely moves. The gradient does not vanish on its way back
(each layer's large weights make up for the flat slopes): the units are
stuck, not the gradient flow. (Fix: Xavier initialisation, or PyTorch's
default.)
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

from loss_advisor.examples._data import loader, split


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = split(x / 16.0, y, seed=seed)
    layers = [nn.Linear(64, 128), nn.Tanh()]
    for _ in range(5):
        layers += [nn.Linear(128, 128), nn.Tanh()]
    model = nn.Sequential(*layers, nn.Linear(128, 10))
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=1.0)
            nn.init.zeros_(m.bias)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
