"""The probe suite, in the order it runs (cheap first, costly last).

Installed as ``loss_advisor.probes``. Each probe is one module; this list
is the registry the runner, `kb check` and the TUI read.
"""
from __future__ import annotations

from .base import Budget, Context, Output, Probe, ProbeSkipped, Cancelled  # noqa: F401
from .data import DataProbe
from .init_loss import InitLossProbe
from .gradients import GradientsProbe
from .lr_sweep import LRSweepProbe
from .overfit_batch import OverfitBatchProbe
from .train_step import TrainStepProbe
from .batch_mixing import BatchMixingProbe
from .input_baseline import InputBaselineProbe
from .short_run import ShortRunProbe
from .capacity import CapacityProbe
from .regularization import RegularizationProbe
from .batch_noise import BatchNoiseProbe
from .seeds import SeedsProbe
from .labels import LabelsProbe

ALL_PROBES: tuple[Probe, ...] = (
    DataProbe(),
    InitLossProbe(),
    GradientsProbe(),
    LRSweepProbe(),
    OverfitBatchProbe(),
    TrainStepProbe(),
    BatchMixingProbe(),
    InputBaselineProbe(),
    ShortRunProbe(),
    CapacityProbe(),
    RegularizationProbe(),
    BatchNoiseProbe(),
    SeedsProbe(),
    LabelsProbe(),
)

BY_NAME: dict[str, Probe] = {p.name: p for p in ALL_PROBES}
