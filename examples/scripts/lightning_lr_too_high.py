"""The Lightning run of lightning_healthy.py, but configure_optimizers asks
for SGD at lr=10: the loss swings and climbs instead of falling.

    python lightning_lr_too_high.py --epochs 5
"""
import torch

from lightning_healthy import DigitsClassifier, main


class TooFast(DigitsClassifier):
    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=10.0)


if __name__ == "__main__":
    main(TooFast)
