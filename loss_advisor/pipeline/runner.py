"""Run the probe suite on a target, safely, and collect what it measured.

Everything the user owns is saved first and restored last (see safety.py);
seeds are fixed so a run repeats; one probe failing (an exception from the
user's model, a NaN, running out of GPU memory) is recorded as an error and
the rest go on.
"""
from __future__ import annotations

import logging
import math
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import torch

from loss_advisor.probing.harness import Harness, pick_device
from loss_advisor.core.i18n import message_in
from loss_advisor.core.records import ProbeRecord
from loss_advisor.probing.safety import Snapshot
from loss_advisor.probing.target import Target, describe_exception

log = logging.getLogger(__name__)

BUDGETS = ("fast", "full")
# Probe models are small: intra-op threads buy nothing, and when another
# process keeps the cores busy (a second test worker, a training job),
# OpenMP threads that wait on each other slow tiny steps down by two orders
# of magnitude (measured here: 0.2 ms vs 70 ms per step on 2 busy cores).
# One thread unless LOSS_ADVISOR_THREADS says otherwise; the user's
# setting is restored afterwards.
DEFAULT_THREADS = 1

# progress(probe_name, index, total, fraction_of_probe, message)
Progress = Callable[[str, int, int, float, str], None]


@dataclass
class RunOutcome:
    records: list[ProbeRecord]
    observations: dict[str, Any]
    sources: dict[str, str]           # observation -> probe that produced it
    setup: dict[str, Any]
    device: str
    budget: str
    seed: int
    restored: bool = True
    cancelled: bool = False


def probe_threads() -> int:
    try:
        return max(1, int(os.environ.get("LOSS_ADVISOR_THREADS", DEFAULT_THREADS)))
    except ValueError:
        return DEFAULT_THREADS


def clean_value(value: Any) -> Any:
    """JSON-safe observations: non-finite numbers become None (unmeasured)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return clean_value(value.item())
    return value


def select(names: Iterable[str] | None):
    from loss_advisor.probes import ALL_PROBES, BY_NAME

    if not names:
        return list(ALL_PROBES)
    wanted = list(names)
    unknown = [n for n in wanted if n not in BY_NAME]
    if unknown:
        raise ValueError(f"unknown probe(s): {', '.join(unknown)} (available: {', '.join(BY_NAME)})")
    # Keep suite order, and pull in the probes a chosen one reads from.
    needed = set(wanted)
    for n in wanted:
        needed |= set(BY_NAME[n].after)
    return [p for p in ALL_PROBES if p.name in needed]


def _seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    random.seed(seed)
    try:
        import numpy as np
        np.random.seed(seed)
    except ImportError:
        pass


def run_probes(target: Target, probes: Iterable[str] | None = None, device: str = "auto",
               budget: str = "fast", budgets: Mapping[str, Any] | None = None, seed: int = 0,
               progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
               on_record: Callable[[ProbeRecord], None] | None = None) -> RunOutcome:
    """Run the chosen probes (default: all) and return their records and observations.

    Raises TargetError when the set-up cannot be probed at all (no batches,
    wrong batch shape, an optimizer factory that fails); the user's objects
    are restored either way.
    """
    from loss_advisor.probes import Budget, Cancelled, Context, ProbeSkipped

    if budget not in BUDGETS:
        raise ValueError(f"unknown budget {budget!r}: choose fast or full")
    chosen = select(probes)
    dev = pick_device(device)
    loaders = [d for d in (target.train_data, target.val_data) if d is not None]
    snapshot = Snapshot(target.model, loaders)
    threads = torch.get_num_threads()
    if dev.type == "cpu":
        torch.set_num_threads(probe_threads())
    records: list[ProbeRecord] = []
    observations: dict[str, Any] = {}
    sources: dict[str, str] = {}
    was_cancelled = False
    try:
        _seed_everything(seed)
        harness = Harness(target, dev)
        setup = harness.describe()
        for index, probe in enumerate(chosen):
            record = ProbeRecord(probe.name, "ok")
            reason = probe.applies(harness)
            if reason:
                record.status, record.message_key = "skipped", f"probes.{reason}"
                record.message = message_in(None, record.message_key, {}, "en")
                records.append(record)
                if on_record:
                    on_record(record)
                continue
            spec = (budgets or {}).get(probe.name) or probe.budgets[budget]
            if not isinstance(spec, Budget):
                spec = Budget(*spec)

            def report(fraction: float, message: str, _name=probe.name, _i=index) -> None:
                if progress:
                    progress(_name, _i, len(chosen), fraction, message)

            ctx = Context(harness=harness, budget=spec, observations=dict(observations), seed=seed,
                          progress=report, cancelled=cancelled or (lambda: False))
            report(0.0, "")
            _seed_everything(seed)
            steps_before = harness.steps
            started = time.perf_counter()
            try:
                output = probe.run(ctx)
                for key, value in output.observations.items():
                    name = key if "." in key else f"{probe.name}.{key}"
                    record.observations[name] = clean_value(value)
                record.details, record.notes = output.details, output.notes
            except ProbeSkipped as exc:
                record.status, record.message = "skipped", str(exc)
                record.message_key, record.message_params = exc.key, dict(exc.params)
            except Cancelled:
                record.status, record.message_key = "skipped", "probes.cancelled"
                record.message = message_in(None, record.message_key, {}, "en")
                was_cancelled = True
            except torch.cuda.OutOfMemoryError:
                record.status, record.message_key = "error", "probes.out_of_memory"
                record.message = message_in(None, record.message_key, {}, "en")
            except Exception as exc:  # a failing probe never stops the others
                record.status, record.message = "error", describe_exception(exc)
                log.debug("probe %s failed", probe.name, exc_info=True)
            record.seconds = round(time.perf_counter() - started, 3)
            record.steps = harness.steps - steps_before
            for name, value in record.observations.items():
                observations[name] = value
                sources[name] = probe.name
            records.append(record)
            report(1.0, record.status)
            if on_record:
                on_record(record)
            if was_cancelled:
                break
    finally:
        snapshot.restore()
        torch.set_num_threads(threads)
    changed = snapshot.changed()
    if changed:  # restore() failed to put something back: say so loudly
        log.error("the model differs from before probing in: %s", ", ".join(changed[:5]))
    return RunOutcome(records, observations, sources, setup, str(dev), budget, seed,
                      restored=not changed, cancelled=was_cancelled)
