"""The built-in demo: machine-state classification from raw sensor readings.

The mistake: the six sensor channels go into the network in their own
units - pressure in pascals (around 100,000), vibration in metres per
second (around 0.002), temperature in degrees - without standardisation.
The loss barely moves, and a learning rate that suits one feature is far
off for the others. (Fix: standardise each feature to mean 0, std 1.)

Synthetic data generated here, so the demo needs nothing beyond torch.
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

UNITS = [  # (mean, spread) of each sensor in its own unit
    (21.0, 4.0),        # temperature, degC
    (101_325.0, 900.0),  # pressure, Pa
    (45.0, 15.0),       # humidity, %
    (0.002, 0.0008),    # vibration, m/s
    (2_950.0, 400.0),   # speed, rpm
    (229.0, 3.0),       # voltage, V
]


def sensor_data(n: int, generator: torch.Generator):
    z = torch.randn(n, len(UNITS), generator=generator)          # standardised readings
    # Machine state: normal, overheating, or failing bearing.
    score_hot = 1.5 * z[:, 0] - 0.8 * z[:, 2] + 0.6 * z[:, 5]
    score_bearing = 1.6 * z[:, 3] + 0.7 * z[:, 4] - 0.5 * z[:, 1]
    state = torch.zeros(n, dtype=torch.long)
    state[score_hot > 1.0] = 1
    state[(score_bearing > 1.0) & (score_bearing > score_hot)] = 2
    raw = torch.stack([m + s * z[:, i] for i, (m, s) in enumerate(UNITS)], dim=1)
    return raw, state


def target(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    x_train, y_train = sensor_data(2000, gen)
    x_val, y_val = sensor_data(500, gen)
    model = nn.Sequential(nn.Linear(6, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=1e-3, momentum=0.9),
        "train_data": DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True),
        "val_data": DataLoader(TensorDataset(x_val, y_val), batch_size=256),
    }
