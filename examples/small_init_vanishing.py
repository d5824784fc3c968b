"""A poor initialisation that starves the gradients: a deep tanh MLP drawn with std 0.01.

Old tutorials initialise every layer from N(0, 0.01); for these 128-wide
layers that is about a ninth of Xavier's sqrt(1 / fan_in). Each layer
shrinks the signal ninefold on the way forward and the gradient ninefold
on the way back: the output sits at a fair guess, the last layer learns a
little, and the first layers' gradients fall three orders of magnitude
behind the last's as training goes. It looks like vanishing gradients;
the initialisation is the cause. (Fix: Xavier initialisation, or
PyTorch's default.)
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
            nn.init.normal_(m.weight, std=0.01)
            nn.init.zeros_(m.bias)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "train_data": loader(x_tr, y_tr),
        "val_data": loader(x_va, y_va, batch_size=256, shuffle=False),
    }
