"""The probe suite, in the order it runs (cheap first, costly last).

Installed as ``loss_advisor.probes``. Each probe is one module; this list
is the registry the runner, `kb check` and the TUI read.
"""
from __future__ import annotations

from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped, Cancelled  # noqa: F401
from loss_advisor.probes.data import DataProbe
from loss_advisor.probes.init_loss import InitLossProbe
from loss_advisor.probes.gradients import GradientsProbe
from loss_advisor.probes.lr_sweep import LRSweepProbe
from loss_advisor.probes.overfit_batch import OverfitBatchProbe
from loss_advisor.probes.train_step import TrainStepProbe
from loss_advisor.probes.batch_mixing import BatchMixingProbe
from loss_advisor.probes.input_baseline import InputBaselineProbe
from loss_advisor.probes.short_run import ShortRunProbe
from loss_advisor.probes.capacity import CapacityProbe
from loss_advisor.probes.regularization import RegularizationProbe
from loss_advisor.probes.batch_noise import BatchNoiseProbe
from loss_advisor.probes.seeds import SeedsProbe
from loss_advisor.probes.labels import LabelsProbe

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
