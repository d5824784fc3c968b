# User initialises every hidden bias to -3 ("to make the activations sparse").  With standardised
# inputs and default-scale weights nearly every ReLU is off for every input, so almost no gradient
# reaches the hidden layers; the loss hardly moves from chance.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.fc2 = nn.Linear(128, 128)
        self.fc3 = nn.Linear(128, 10)
        for m in (self.fc1, self.fc2):
            nn.init.constant_(m.bias, -3.0)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


def target(seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    return {
        "model": Net(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "train_data": DataLoader(ds, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)),
        "task": "classification",
    }
