"""A healthy PyTorch Lightning script: a LightningModule standardises the
raw 8-bit digits inside forward() from registered buffers, trains with Adam
and validates every epoch (Lightning runs the forward and backward inside
optimizer.step(closure), and validation in eval mode without gradients).

    python lightning_healthy.py --epochs 5
    python lightning_healthy.py --loss-advisor text --report report.md   # with the callback
"""
import argparse
import tempfile

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

try:
    import lightning as L
except ImportError:                      # the older package name
    import pytorch_lightning as L

from digits_data import digits


class DigitsClassifier(L.LightningModule):
    def __init__(self, mean, std, lr=1e-3):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
        self.criterion = nn.CrossEntropyLoss()
        self.lr = lr

    def forward(self, x):
        return self.net((x - self.mean) / self.std)

    def training_step(self, batch, batch_idx):
        inputs, targets = batch
        loss = self.criterion(self(inputs), targets)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        inputs, targets = batch
        self.log("val_loss", self.criterion(self(inputs), targets))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.lr)


def main(module=DigitsClassifier):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--loss-advisor", choices=["text", "json"], default=None,
                        help="diagnose the run with loss-advisor's callback, printed in this format")
    parser.add_argument("--report", default=None, help="with --loss-advisor: write the Markdown report here")
    args = parser.parse_args()

    torch.manual_seed(0)
    x_train, x_val, y_train, y_val = digits(standardise=False)
    x_train, x_val = (torch.from_numpy(x * 255 / 16).round() for x in (x_train, x_val))
    std = x_train.std(0)
    std[std == 0] = 1.0
    model = module(x_train.mean(0), std, lr=args.lr)
    train = DataLoader(TensorDataset(x_train, torch.from_numpy(y_train)), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(x_val, torch.from_numpy(y_val)), batch_size=128)
    callbacks = []
    if args.loss_advisor:
        from loss_advisor.integrations.lightning import LossAdvisorCallback
        callbacks.append(LossAdvisorCallback(format=args.loss_advisor, report=args.report, lang="en"))
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, logger=False, callbacks=callbacks,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                        default_root_dir=tempfile.mkdtemp(prefix="lightning-"), num_sanity_val_steps=0)
    trainer.fit(model, train, val)


if __name__ == "__main__":
    main()
