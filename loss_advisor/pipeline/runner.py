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
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import torch

from loss_advisor.probing.harness import Harness, pick_device
from loss_advisor.core.i18n import message_in
from loss_advisor.core.records import ProbeRecord, parse_details
from loss_advisor.probing.safety import Snapshot, scalers_of
from loss_advisor.probing.target import Target, TargetError, describe_exception

log = logging.getLogger(__name__)

# Named budgets; a number is a budget in seconds for the whole run, shared
# among the probes (probes/base.py share_budgets).
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

# Every wait is bounded. The user's code runs in a daemon thread that the
# runner waits on in POLL_S slices: a probe past its hard limit (see
# Budget.hard_limit; LOSS_ADVISOR_PROBE_TIMEOUT=SECONDS sets it for every
# probe) is abandoned and reported as timed out, and a cancelled run stops
# waiting CANCEL_GRACE_S after the request even when the probe is stuck
# inside a forward pass. A stuck thread cannot be killed in Python; being a
# daemon, it does not keep the process alive at exit.
POLL_S = 0.1
# A probe checks for cancellation between steps; a step of a small model
# takes milliseconds, so half a second tells "about to stop" from "stuck";
# one abandoned too early only makes the next run on the model wait for it
# (see _ABANDONED).
CANCEL_GRACE_S = 0.5
# Loading the first batches and building the optimizer, before any probe:
# a DataLoader that starts worker processes takes seconds, a stuck one
# forever.
SETUP_LIMIT_S = 120.0


# Probes abandoned while still inside a user's code, by the id of the model
# they were probing: a later run on the same model (the TUI measures again)
# must not run that code beside them either.
_ABANDONED: dict[int, tuple[str, threading.Thread]] = {}


def _still_inside(model: Any) -> str | None:
    """The name of an abandoned probe still running on `model`, else None."""
    found = _ABANDONED.get(id(model))
    if found is None:
        return None
    if not found[1].is_alive():
        del _ABANDONED[id(model)]
        return None
    return found[0]


def _limit_override() -> float | None:
    raw = os.environ.get("LOSS_ADVISOR_PROBE_TIMEOUT")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value > 0 else None


def _run_bounded(work: Callable[[], Any], limit: float, cancelled: Callable[[], bool],
                 name: str) -> tuple[str, Any, threading.Thread]:
    """Run work() in a daemon thread and wait at most `limit` seconds.

    Returns (how, value, thread): how is "done" (value: the result),
    "raised" (value: the exception), "timeout" or "cancelled" (the thread
    was abandoned and may still be running).
    """
    box: dict[str, Any] = {}
    finished = threading.Event()

    def body() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:      # handed to the waiting thread
            box["error"] = exc
        finally:
            finished.set()

    thread = threading.Thread(target=body, name=f"loss-advisor-{name}", daemon=True)
    thread.start()
    deadline = time.monotonic() + limit
    cancel_seen: float | None = None
    while not finished.wait(POLL_S):
        now = time.monotonic()
        if cancel_seen is None and cancelled():
            cancel_seen = now
        if cancel_seen is not None and now - cancel_seen >= CANCEL_GRACE_S:
            return "cancelled", None, thread
        if now >= deadline:
            return "timeout", None, thread
    if "error" in box:
        return "raised", box["error"], thread
    return "done", box.get("value"), thread


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


def budget_seconds(budget: Any) -> float | None:
    """None for a named budget (fast, full); the seconds of a budget given in
    seconds (a positive number, or its text); ValueError otherwise."""
    if isinstance(budget, str) and budget in BUDGETS:
        return None
    try:
        value = float(budget)
    except (TypeError, ValueError):
        raise ValueError(f"unknown budget {budget!r}: choose fast, full or a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"unknown budget {budget!r}: choose fast, full or a number of seconds") from None
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


@dataclass
class Stage:
    """A stage after the probes: `run(harness, observations, cancelled)`
    returns a ProbeRecord (None: nothing to do); `limit` bounds its wait."""
    name: str
    run: Callable[[Harness, dict, Callable[[], bool]], ProbeRecord | None]
    limit: float


def _run_stage(stage: Stage, harness: Harness, observations: dict[str, Any], asked_to_stop: Callable[[], bool],
               override: float | None, seed: int) -> ProbeRecord | None:
    """Run a stage like a probe: bounded, seeded, its failure a record, never a crash."""
    from loss_advisor.probes import Cancelled

    abandoned = threading.Event()
    stopped = lambda: abandoned.is_set() or asked_to_stop()      # noqa: E731
    _seed_everything(seed)
    steps_before = harness.steps
    started = time.perf_counter()
    limit = override or stage.limit
    how, value, thread = _run_bounded(lambda: stage.run(harness, dict(observations), stopped), limit,
                                      asked_to_stop, stage.name)
    record: ProbeRecord | None
    if how in ("timeout", "cancelled"):
        abandoned.set()
        if how == "timeout":
            thread.join(CANCEL_GRACE_S)
        if thread.is_alive():
            _ABANDONED[id(harness.target.model)] = (stage.name, thread)
    if how == "done":
        record = value
    elif how == "raised" and isinstance(value, Cancelled) or how == "cancelled":
        record = ProbeRecord(stage.name, "skipped", message_key="probes.cancelled",
                             message=message_in(None, "probes.cancelled", {}, "en"))
    elif how == "timeout":
        record = ProbeRecord(stage.name, "error", message_key="probes.timed_out",
                             message_params={"seconds": f"{limit:g}"},
                             message=message_in(None, "probes.timed_out", {"seconds": f"{limit:g}"}, "en"))
    else:
        record = ProbeRecord(stage.name, "error", message=describe_exception(value))
        log.debug("stage %s failed", stage.name, exc_info=value)
    if record is not None:
        record.seconds = round(time.perf_counter() - started, 3)
        record.steps = harness.steps - steps_before
    return record


def run_probes(target: Target, probes: Iterable[str] | None = None, device: str = "auto",
               budget: str = "fast", budgets: Mapping[str, Any] | None = None, seed: int = 0,
               progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
               on_record: Callable[[ProbeRecord], None] | None = None,
               after: "Stage | None" = None) -> RunOutcome:
    """Run the chosen probes (default: all) and return their records and observations.

    `after`: a last stage on the same harness, inside the same snapshot,
    once the probes are done (the interventions: paired runs chosen from
    what the probes found); its record joins the others.

    Raises TargetError when the set-up cannot be probed at all (no batches,
    wrong batch shape, an optimizer factory that fails); the user's objects
    are restored either way.
    """
    from loss_advisor.probes import Budget, Cancelled, Context, ProbeSkipped

    seconds = budget_seconds(budget)
    chosen = select(probes)
    if seconds is not None:
        from loss_advisor.probes.base import share_budgets
        shares = share_budgets(chosen, seconds)
        budgets = {**shares, **(budgets or {})}
        budget = f"{seconds:g}"
    dev = pick_device(device)
    loaders = [d for d in (target.train_data, target.val_data) if d is not None]
    snapshot = Snapshot(target.model, loaders)
    for scaler in scalers_of(target.train_step):
        snapshot.add_scaler(scaler)
    threads = torch.get_num_threads()
    if dev.type == "cpu":
        torch.set_num_threads(probe_threads())
    records: list[ProbeRecord] = []
    observations: dict[str, Any] = {}
    sources: dict[str, str] = {}
    was_cancelled = False
    asked_to_stop = cancelled or (lambda: False)
    override = _limit_override()
    harness = None
    try:
        _seed_everything(seed)

        def prepare() -> tuple[Harness, dict[str, Any]]:
            built = Harness(target, dev, snapshot=snapshot)
            return built, built.describe()

        setup_limit = max(SETUP_LIMIT_S, override or 0.0)    # the override is for probes
        if _still_inside(target.model) is not None:       # every probe is skipped below
            how, value = "done", (None, {})
        else:
            how, value, _ = _run_bounded(prepare, setup_limit, asked_to_stop, "setup")
        if how == "raised":
            raise value
        if how == "timeout":
            raise TargetError(message_in(None, "probes.setup_timed_out", {"seconds": f"{setup_limit:g}"}, "en"))
        if how == "cancelled":
            return RunOutcome([], {}, {}, {}, str(dev), budget, seed, cancelled=True)
        harness, setup = value
        for index, probe in enumerate(chosen):
            record = ProbeRecord(probe.name, "ok")
            abandoned = threading.Event()      # set when the runner stops waiting for this probe

            def report(fraction: float, message: str, _name=probe.name, _i=index) -> None:
                if progress:
                    progress(_name, _i, len(chosen), fraction, message)

            def probe_report(fraction: float, message: str, _report=report, _gone=abandoned) -> None:
                if not _gone.is_set():      # an abandoned probe speaks no more
                    _report(fraction, message)

            stuck = _still_inside(target.model)
            if stuck is not None:
                # Running more of the user's code beside a thread still inside
                # it could hang as well, or race with it on the model and data.
                record.status, record.message_key = "skipped", "probes.after_timeout"
                record.message_params = {"probe": stuck}
                record.message = message_in(None, record.message_key, record.message_params, "en")
                records.append(record)
                report(1.0, record.status)
                if on_record:
                    on_record(record)
                continue
            try:
                reason = probe.applies(harness)
            except Exception as exc:   # the user's model failed the probe's own check: an error, not a crash
                record.status, record.message = "error", describe_exception(exc)
                records.append(record)
                report(1.0, record.status)
                if on_record:
                    on_record(record)
                continue
            if reason:
                record.status, record.message_key = "skipped", f"probes.{reason}"
                record.message = message_in(None, record.message_key, {}, "en")
                records.append(record)
                report(1.0, record.status)
                if on_record:
                    on_record(record)
                continue
            spec = (budgets or {}).get(probe.name) or probe.budgets[budget]
            if not isinstance(spec, Budget):
                spec = Budget(*spec)
            limit = override or spec.hard_limit()

            ctx = Context(harness=harness, budget=spec, observations=dict(observations), seed=seed,
                          progress=probe_report, cancelled=lambda _gone=abandoned: _gone.is_set() or asked_to_stop())
            report(0.0, "")
            _seed_everything(seed)
            steps_before = harness.steps
            started = time.perf_counter()
            try:
                how, value, thread = _run_bounded(lambda _p=probe, _c=ctx: _p.run(_c), limit, asked_to_stop, probe.name)
                if how in ("timeout", "cancelled"):
                    abandoned.set()          # it stops at its next check, if it ever gets there
                    if how == "timeout":
                        thread.join(CANCEL_GRACE_S)   # a slow step that has just ended
                    if thread.is_alive():
                        _ABANDONED[id(target.model)] = (probe.name, thread)
                if how == "timeout":
                    record.status, record.message_key = "error", "probes.timed_out"
                    record.message_params = {"seconds": f"{limit:g}"}
                    record.message = message_in(None, record.message_key, record.message_params, "en")
                elif how == "cancelled":
                    raise Cancelled()
                elif how == "raised":
                    raise value
                else:
                    for key, found in value.observations.items():
                        name = key if "." in key else f"{probe.name}.{key}"
                        record.observations[name] = clean_value(found)
                    record.details, record.notes = parse_details(value.details), value.notes
                    if ctx.cuts:
                        # What the budget cut, in both languages (the probe measured less than it wanted).
                        key = ctx.cuts[0].get("key", "probes.budget_cut")
                        same = [c for c in ctx.cuts if c.get("key", "probes.budget_cut") == key]
                        wanted = sum(c["wanted"] for c in same)
                        planned = sum(c["planned"] for c in same)
                        record.message_key = key
                        record.message_params = {"planned": planned, "wanted": wanted,
                                                 "step": f"{same[0]['step']:.2g}",
                                                 "seconds": f"{spec.seconds:.3g}"}
                        record.message = message_in(None, record.message_key, record.message_params, "en")
            except ProbeSkipped as exc:
                record.status, record.message = "skipped", str(exc)
                record.message_key, record.message_params = exc.key, dict(exc.params)
            except Cancelled:
                record.status, record.message_key = "skipped", "probes.cancelled"
                record.message = message_in(None, record.message_key, {}, "en")
                was_cancelled = True
            except torch.cuda.OutOfMemoryError:
                # The batch the probe was training at when memory ran out: the
                # size to go below (the finding the scale issue asks for).
                record.status, record.message_key = "error", "probes.out_of_memory"
                record.message_params = {"batch": getattr(harness, "batch_size", None) or "?"}
                record.message = message_in(None, record.message_key, record.message_params, "en")
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
        if after is not None and not was_cancelled and _still_inside(target.model) is None:
            record = _run_stage(after, harness, observations, asked_to_stop, override, seed)
            if record is not None:
                was_cancelled = record.message_key == "probes.cancelled"
                records.append(record)
                if on_record:
                    on_record(record)
    finally:
        if harness is not None:
            harness.closed = True      # an abandoned probe still running steps the model no more
        leftover = _still_inside(target.model)
        if leftover is not None:
            # Let a step in flight finish before the weights are put back.
            _ABANDONED[id(target.model)][1].join(CANCEL_GRACE_S)
        snapshot.restore()
        torch.set_num_threads(threads)
    changed = snapshot.changed()
    snapshot.close()
    if changed:  # restore() failed to put something back: say so loudly
        log.error("the model differs from before probing in: %s", ", ".join(changed[:5]))
    return RunOutcome(records, observations, sources, setup, str(dev), budget, seed,
                      restored=not changed, cancelled=was_cancelled)
