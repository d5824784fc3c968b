"""The probe suite, in the order it runs (cheap first, costly last).

Installed as ``loss_advisor.probes``. Each probe is one module; ALL_PROBES
is the registry the runner and the TUI read. The probes import torch, so
the registry and the probe API load on first use (PEP 562): importing
``loss_advisor.probes.declared`` — what every probe measures, as data, for
`kb check` and the report — stays torch-free.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

# (module, class), in the order the suite runs.
SUITE = (
    ("data", "DataProbe"),
    ("init_loss", "InitLossProbe"),
    ("sequence", "SequenceProbe"),
    ("gradients", "GradientsProbe"),
    ("lr_sweep", "LRSweepProbe"),
    ("overfit_batch", "OverfitBatchProbe"),
    ("train_step", "TrainStepProbe"),
    ("schedule", "ScheduleProbe"),
    ("step_setup", "StepSetupProbe"),
    ("batch_mixing", "BatchMixingProbe"),
    ("input_baseline", "InputBaselineProbe"),
    ("short_run", "ShortRunProbe"),
    ("capacity", "CapacityProbe"),
    ("regularization", "RegularizationProbe"),
    ("regularization_fit", "RegularizationFitProbe"),
    ("batch_noise", "BatchNoiseProbe"),
    ("seeds", "SeedsProbe"),
    ("labels", "LabelsProbe"),
)
_BASE = ("Budget", "Context", "Output", "Probe", "ProbeSkipped", "Cancelled")


def __getattr__(name: str) -> Any:
    if name in _BASE:
        return getattr(import_module("loss_advisor.probes.base"), name)
    if name in ("ALL_PROBES", "BY_NAME"):
        probes = tuple(getattr(import_module(f"loss_advisor.probes.{module}"), cls)() for module, cls in SUITE)
        globals().update(ALL_PROBES=probes, BY_NAME={p.name: p for p in probes})
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
