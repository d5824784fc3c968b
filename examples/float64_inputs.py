"""Device/dtype mismatch: numpy float64 arrays straight into a float32 model.

torch.tensor(numpy_array) keeps float64; the first Linear layer raises
"mat1 and mat2 must have the same dtype". (Fix: .float(), or dtype=torch.float32.)
"""
import torch
from sklearn.datasets import load_iris
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def target(seed: int = 0):
    torch.manual_seed(seed)
    x, y = load_iris(return_X_y=True)
    x = (x - x.mean(0)) / x.std(0)
    dataset = TensorDataset(torch.tensor(x), torch.tensor(y))       # float64 features
    return {
        "model": nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3)),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-2),
        "train_data": DataLoader(dataset, batch_size=16, shuffle=True),
    }
