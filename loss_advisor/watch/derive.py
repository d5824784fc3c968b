"""From the child's record to observations: what the knowledge base reads.

The child measures what needs the live objects (data, gradients,
parameters); the losses and the loop's order come as raw numbers and are
read here, so that a record cut short by the wall-clock limit still gives
its curve and its loop checks.
"""
from __future__ import annotations

import math

from typing import Any, Mapping

from loss_advisor.core import curves
from loss_advisor.core.records import Curve
from loss_advisor.core.i18n import catalogue, t
from loss_advisor.probing.loopwatch import LoopCounts, loop_findings

from loss_advisor.watch.protocol import ENDED, EXITED, RAISED, SPAWNED, STEPS, TIMEOUT

# What the record's status says, as the watch.stopped observation.
STOPPED = {STEPS: "steps", ENDED: "ended", EXITED: "exited", RAISED: "error", TIMEOUT: "timeout", SPAWNED: "spawned"}


def curve_observations(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """`curve.*` from the recorded losses: one point per backward() at its step
    (at its position when the script never stepped), validation at its step."""
    losses = [row for row in record.get("losses") or [] if isinstance(row, list) and len(row) == 2]
    if not losses:
        return {}, {}
    stepped = any(row[0] for row in losses)
    xs = [float(row[0]) if stepped else float(i) for i, row in enumerate(losses)]
    ys = [row[1] for row in losses]
    val = [row for row in record.get("val_losses") or [] if isinstance(row, list) and len(row) == 2]
    vx = [float(row[0]) for row in val] if val else None
    vy = [row[1] for row in val] if val else None
    analysis = curves.analyse(xs, ys, vx, vy)
    # The same curve as a short run's and a log's: `losses` over `steps`.
    details: dict[str, Any] = {"train": Curve(xs, {"losses": ys})}
    if val:
        details["val"] = Curve(vx, {"losses": vy})
    return {f"curve.{k}": v for k, v in analysis.observations.items()}, details


def loop_observations(record: Mapping[str, Any]) -> dict[str, Any]:
    """`train_step.*` from the LoopMonitor's counts: each optimizer step ends
    an iteration; a script that never steps has one iteration per backward()."""
    steps = int(record.get("steps") or 0)
    backward_calls = int(record.get("backward_calls") or 0)
    obs: dict[str, Any] = {}
    error = record.get("error") if record.get("error_during_training") else None
    obs["error"] = error or ""
    loop = record.get("loop")
    counts = LoopCounts(**{k: v for k, v in loop.items() if k in LoopCounts.__dataclass_fields__}) \
        if isinstance(loop, Mapping) else None
    if steps:
        found = loop_findings(counts, steps) if counts is not None else {"calls": steps}
        obs.update(found)
        if counts is None:     # no model was seen: order unknown, but steps were taken
            obs["step_calls_per_call"] = 1.0
    else:
        obs["calls"] = backward_calls
        if backward_calls and record.get("status") != RAISED:
            # Backward without a step, and not because an error cut the loop short.
            obs["step_calls_per_call"] = 0.0
        if counts is not None and counts.forwards:
            obs["eval_forward_fraction"] = counts.eval_forwards / counts.forwards
    out = {f"train_step.{k}": v for k, v in obs.items()}
    if counts is not None and counts.forwards:
        # Iteration i (from 1) ends with step i-1: steps are counted from 0.
        since = max(0, counts.eval_since - 1) if counts.eval_since is not None else None
        if since is not None:
            out["watch.eval_mode_from_step"] = since
        out["watch.eval_mode_steps"] = max(0, steps - since) if since is not None else 0
    return out


def observations(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every observation of a record, and the details (curves, gradients, events)."""
    obs: dict[str, Any] = dict(record.get("observations") or {})
    curve, details = curve_observations(record)
    obs.update(curve)
    obs.update(loop_observations(record))
    obs["watch.steps"] = int(record.get("steps") or 0)
    obs["watch.backward_calls"] = int(record.get("backward_calls") or 0)
    obs["watch.stopped"] = STOPPED.get(record.get("status"), "timeout")
    if record.get("status") == SPAWNED:
        obs["watch.spawned_workers"] = True
    obs["watch.seconds"] = record.get("seconds") or record.get("wall_seconds")
    for key in ("step_seconds", "optimizers", "loss_module", "model_device"):
        if record.get(key) is not None:
            obs[f"watch.{key}"] = record[key]
    details.update(record.get("details") or {})
    loop = record.get("loop")
    if isinstance(loop, Mapping):
        details["events"] = list(loop.get("events") or [])[:5]
    if record.get("error"):
        details["exception"] = {"message": record["error"], "frames": list(record.get("error_frames") or [])}
    details["script"] = record.get("script")
    details["argv"] = list(record.get("argv") or [])
    if record.get("setup"):
        details["setup"] = dict(record["setup"])
    obs.update(distributed_observations(record, details))
    obs.update(setup_observations(record, details))
    return obs, details


def setup_observations(record: Mapping[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    """`schedule.*` and `step_setup.*` from the per-step series the child kept:
    learning rates, autocast, GradScaler, backward passes, clipping."""
    from loss_advisor.probing.setupwatch import summarise

    series = record.get("setup_series")
    if not isinstance(series, Mapping):
        return {}
    return summarise(series, record.get("steps_per_epoch"))


def distributed_observations(record: Mapping[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    """Under torch.distributed: the sampler's epochs (one rank can tell), and
    what rank 0 needs to compare the ranks (kept in details["distributed"])."""
    distributed = record.get("distributed")
    if not isinstance(distributed, Mapping):
        return {}
    losses = [row[1] for row in record.get("losses") or [] if isinstance(row, list) and len(row) == 2
              and isinstance(row[1], (int, float)) and math.isfinite(row[1])]
    details["distributed"] = {**distributed, "last_loss": losses[-1] if losses else None}
    obs: dict[str, Any] = {"ddp.world_size": distributed.get("world_size")}
    epochs = distributed.get("sampler_epochs") or []
    if len(epochs) >= 2:
        # set_epoch(e) each epoch changes the value; a constant one means the
        # same shuffled order every epoch.
        obs["watch.sampler_epoch_unchanged"] = len(set(epochs)) == 1
    return obs


def notes(record: Mapping[str, Any], steps_limit: int, timeout: float, lang: str) -> list[str]:
    """What the user should know about how the watch went, in their language."""
    out: list[str] = []
    status, steps = record.get("status"), int(record.get("steps") or 0)
    if status == STEPS:
        out.append(t("watch.note.stopped", lang, steps=steps))
    elif status == ENDED:
        out.append(t("watch.note.ended", lang, steps=steps))
    elif status == EXITED:
        out.append(t("watch.note.exited", lang, steps=steps, code=record.get("exit_code")))
    elif status == RAISED:
        out.append(t("watch.note.raised", lang, steps=steps, error=record.get("error")))
    elif status == SPAWNED:
        out.append(t("watch.note.spawned", lang, steps=steps))
    else:
        out.append(t("watch.note.timeout", lang, steps=steps, seconds=f"{timeout:g}"))
    if record.get("training_started") and not record.get("optimizers"):
        out.append(t("watch.note.no_optimizer", lang))
    if steps and not record.get("loss_module"):
        out.append(t("watch.note.no_loss_module", lang))
    reason = record.get("probe_note")
    if reason:
        worded = t(reason, lang) if reason in catalogue() else reason
        out.append(t("watch.note.probes_skipped", lang, reason=worded))
    for note in record.get("notes") or []:
        if isinstance(note, list) and len(note) == 2 and note[0] in catalogue():
            out.append(t(note[0], lang, **(note[1] or {})))
        elif isinstance(note, str):
            out.append(note)
    out += [f"internal: {e}" for e in record.get("internal_errors") or []]
    return out


def watch_probe_record(record: Mapping[str, Any], steps_limit: int, timeout: float, lang: str,
                       output_tail: list[str] | None = None):
    """The record as the one ProbeRecord named "watch" that the engine reads:
    the same for `loss-advisor watch` and for the trainers' callbacks."""
    from loss_advisor.core.records import ProbeRecord

    obs, details = observations(record)
    details["output_tail"] = list(output_tail or [])
    return ProbeRecord(name="watch", status="ok", seconds=float(record.get("wall_seconds") or 0.0),
                       steps=int(record.get("steps") or 0), observations=obs, details=details,
                       notes=notes(record, steps_limit, timeout, lang))
