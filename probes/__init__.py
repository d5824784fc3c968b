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
from .short_run import ShortRunProbe

ALL_PROBES: tuple[Probe, ...] = (
    DataProbe(),
    InitLossProbe(),
    GradientsProbe(),
    LRSweepProbe(),
    OverfitBatchProbe(),
    ShortRunProbe(),
)

BY_NAME: dict[str, Probe] = {p.name: p for p in ALL_PROBES}
