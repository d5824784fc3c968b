"""What the DDP example scripts share: the digits data, the process group from
torchrun's environment (or from a spawn launcher's arguments), the model."""
import os
import sys
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from digits_data import digits  # noqa: E402


def setup(rank=None, world_size=None):
    """Join the process group: torchrun sets RANK/WORLD_SIZE; a spawn launcher passes them."""
    if rank is not None:
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", "29533")
        dist.init_process_group("gloo", rank=rank, world_size=world_size)
    else:
        dist.init_process_group("gloo")
    return dist.get_rank(), dist.get_world_size()


def data():
    x_train, _, y_train, _ = digits(0)
    return torch.utils.data.TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train))


def model():
    torch.manual_seed(0)          # the same initial weights on every rank, as DDP expects
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
