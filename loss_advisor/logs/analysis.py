"""From a read log to observations: pick the columns, run the one curve
analysis every source shares (`loss_advisor.core.curves.analyse`, which gives
the `curve.*` observations), and add what only a log can tell: the
learning-rate schedule and what each change did to the loss, the gradient
norm, and a loss that gives back what it had learned. Torch-free.
"""
from __future__ import annotations

import bisect
import math
from statistics import median
from typing import Any, Sequence

from loss_advisor.core import curves
from loss_advisor.core.records import Curve
from loss_advisor.core.stats import bin_series, rolling_median
from loss_advisor.logs import columns as C
from loss_advisor.logs.base import LogData, LogError, Series

# At most this many points per series in the record's details (for plots).
DETAIL_POINTS = 5000
# Long series are first thinned to this many evenly spaced points for the
# log-only measures below; a schedule step or a blow-up spans far more.
SAMPLE = 20000

# Start level. A log's first point is the loss at (or near) the initial
# weights. If the median of the next five points is at least 3x that, the
# loss blew up within its first steps: per-batch losses at initialisation
# differ by tens of percent, not threefold. Then the first point, not the
# blown-up median of the first five, is where the run started.
BLOWUP_AT_START = 3.0

# Rebound: the loss climbing back above its best level so far, as a share
# of the fall that reached that level (1 = back where it started). Levels
# are medians over windows of a tenth of the run, every twentieth: wide
# enough that neither minibatch noise nor a fast oscillation moves them
# (finer smoothing, a hundredth of the run, let oscillating logs with
# log-noise 0.9 "fall" by half and "rebound" 0.6-1.6 by chance), so a
# blow-up shows once it fills half of such a window. Counted only once the
# loss had halved from its first window: a smaller fall is within reach of
# noise, and a run that learned little and then blew up is caught by the
# curve's own peak and end levels.
REBOUND_WINDOW = 0.1
REBOUND_MIN_PROGRESS = 0.5
REBOUND_MIN_POINTS = 40

# Learning-rate schedule events. A scheduler step changes the rate by a
# factor (StepLR/MultiStepLR: 0.1-0.5) within one logged interval while
# the neighbouring intervals hardly change; smooth schedules (warm-up,
# cosine, linear, per-epoch exponential decay by 0.9) change by similar
# small amounts in neighbouring intervals. So an event is a change by at
# least 1.5x that is at least 5x the median change of the 10 intervals
# around it.
LR_EVENT_FACTOR = 1.5
LR_EVENT_CONTRAST = 5.0
LR_NEIGHBOURS = 5
MAX_EVENTS = 20          # listed in the details
MAX_EFFECTS = 1000       # measured at all (a per-epoch staircase over a long run)
# The loss level around an event: medians over windows of 5% of the run
# (cut at half the distance to the neighbouring events), long enough to
# average minibatch noise, short enough to see a step schedule's drop.
EFFECT_WINDOW = 0.05
MIN_WINDOW_POINTS = 3

# Gradient-norm growth: the highest smoothed gradient norm over its early
# level (the median of the first tenth of the smoothed curve). Single
# overflow steps (mixed precision logs inf now and then) are dropped or
# smoothed away.
GRAD_BINS = 200


def select(data: LogData, train_col=None, val_col=None, lr_col=None, grad_col=None) -> dict[str, str | None]:
    """Each role's column. Named columns must exist and hold numbers; the
    training loss must be found. Raises LogError otherwise."""
    path = data.path
    if data.rows == 0:
        raise LogError("logs.err_no_rows", path=path)
    filled = [n for n in data.columns if n in data.series and len(data.series[n])]
    explicit: dict[str, str | None] = {}
    for role, wanted in (("train", train_col), ("val", val_col), ("lr", lr_col), ("grad_norm", grad_col)):
        explicit[role] = None
        if not wanted:
            continue
        name = _resolve(data.columns, wanted)
        if name is None:
            raise LogError("logs.err_no_such_column", column=wanted, path=path,
                           available=_listing(data.columns))
        if name not in data.series or not len(data.series[name]):
            if name in data.bad_values:
                line, value = data.bad_values[name]
                raise LogError("logs.err_text_in_column", path=path, line=line, column=name, value=value)
            raise LogError("logs.err_empty_column", column=name, path=path)
        explicit[role] = name
    roles = C.pick(filled, explicit)
    if roles["train"] is None:
        losses = [n for n in data.columns if "loss" in C.normalise(n)]
        if losses:
            raise LogError("logs.err_no_train_but", path=path, available=_listing(data.columns),
                           example=losses[0])
        raise LogError("logs.err_no_train", path=path, available=_listing(data.columns))
    for role, name in roles.items():
        if name is not None and name in data.bad_values and role in ("train", "val"):
            line, value = data.bad_values[name]
            raise LogError("logs.err_text_in_column", path=path, line=line, column=name, value=value)
    return roles


def _resolve(names: Sequence[str], wanted: str) -> str | None:
    if wanted in names:
        return wanted
    norm = C.normalise(wanted)
    return next((n for n in names if C.normalise(n) == norm), None)


def _listing(names: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(names[:limit])
    return (shown + ", …") if len(names) > limit else (shown or "-")


def thin(steps: Sequence[float], values: Sequence[float], limit: int) -> tuple[list[float], list[float]]:
    """Every k-th point (and the last), so that at most about `limit` remain."""
    n = len(values)
    if n <= limit:
        return list(steps), list(values)
    k = math.ceil(n / limit)
    xs, ys = list(steps[::k]), list(values[::k])
    if (n - 1) % k:
        xs.append(steps[n - 1])
        ys.append(values[n - 1])
    return xs, ys


def start_level(values: Sequence[float]) -> float | None:
    if len(values) < 6 or not (math.isfinite(values[0]) and values[0] > 0):
        return None
    following = [v for v in values[1:6] if math.isfinite(v)]
    if len(following) >= 3 and median(following) >= BLOWUP_AT_START * values[0]:
        return values[0]
    return None


def all_finite(values: Sequence[float]) -> bool:
    """No NaN or inf. A float sum is NaN or inf when any term is (and summing
    runs in C); only a sum that overflows needs the slow look."""
    if math.isfinite(sum(values, 0.0)):
        return True
    return all(map(math.isfinite, values))


def finite_prefix(steps: Sequence[float], values: Sequence[float]) -> int:
    """How many points come before the first NaN/inf."""
    if all_finite(values):
        return len(values)
    for i, v in enumerate(values):
        if not math.isfinite(v):
            return i
    return len(values)


def rebound(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(ys) < REBOUND_MIN_POINTS or min(ys) <= 0:
        return None
    _, sy = thin(xs, ys, SAMPLE)
    n = len(sy)
    width = max(4, int(n * REBOUND_WINDOW))
    stride = max(1, width // 2)
    levels = [median(sy[i:i + width]) for i in range(0, n - width + 1, stride)]
    top = levels[0]
    best, worst = top, None
    for v in levels:
        best = min(best, v)
        fallen = top - best
        if fallen >= REBOUND_MIN_PROGRESS * top:
            share = (v - best) / fallen
            worst = share if worst is None else max(worst, share)
    return worst


def grad_norm_growth(series: Series) -> float | None:
    xs, ys = thin(series.steps, series.values, SAMPLE)
    pts = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y) and y > 0]
    if len(pts) < 10:
        return None
    _, by = bin_series([p[0] for p in pts], [p[1] for p in pts], min(GRAD_BINS, len(pts) // 5) or 1)
    smooth = rolling_median(by, 5 if len(by) >= 10 else 1)
    early = median(smooth[:max(1, len(smooth) // 10)])
    return max(smooth) / early if early > 0 else None


def lr_events(series: Series) -> list[dict[str, float]]:
    """Abrupt learning-rate changes: [{step, before, after}], in order."""
    steps, values = series.steps, series.values
    n = len(values)
    if n < 2:
        return []
    k = max(1, math.ceil(n / SAMPLE))
    idx = list(range(0, n, k))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    idx = [i for i in idx if math.isfinite(values[i]) and values[i] > 0]
    if len(idx) < 2:
        return []
    ratios = [math.log(values[b] / values[a]) for a, b in zip(idx, idx[1:])]
    size = [abs(r) for r in ratios]
    found: list[tuple[int, float]] = []
    for i, r in enumerate(ratios):
        if size[i] < math.log(LR_EVENT_FACTOR):
            continue
        around = size[max(0, i - LR_NEIGHBOURS): i] + size[i + 1: i + 1 + LR_NEIGHBOURS]
        if around and size[i] < LR_EVENT_CONTRAST * median(around):
            continue
        if found and found[-1][0] == i - 1 and (found[-1][1] > 0) == (r > 0):
            found[-1] = (i, found[-1][1] + r)           # one change spread over two intervals
            continue
        found.append((i, r))
    events = []
    for i, r in found[:MAX_EFFECTS]:
        a, b = idx[i], idx[i + 1]
        # The exact step: the biggest single change between the two sampled points.
        j = a
        if b - a > 1:
            j = max(range(a, b), key=lambda m: _jump(values, m))
        events.append({"step": steps[j + 1], "before": values[a], "after": values[b]})
    return events


def _jump(values: Sequence[float], m: int) -> float:
    a, b = values[m], values[m + 1]
    if not (math.isfinite(a) and math.isfinite(b)) or a <= 0 or b <= 0:
        return 0.0
    return abs(math.log(b / a))


def _level(xs: list[float], ys: list[float], lo: float, hi: float) -> float | None:
    """Median loss over steps in [lo, hi)."""
    i, j = bisect.bisect_left(xs, lo), bisect.bisect_left(xs, hi)
    return median(ys[i:j]) if j - i >= MIN_WINDOW_POINTS else None


def event_effects(events: list[dict[str, float]], xs: list[float], ys: list[float]) -> None:
    """Add the loss level before, after, and one window earlier to each event."""
    if not xs:
        return
    first, last = xs[0], xs[-1]
    span = last - first
    marks = [first] + [e["step"] for e in events] + [last]
    for k, e in enumerate(events, start=1):
        w = EFFECT_WINDOW * span
        w = min(w, (marks[k] - marks[k - 1]) / 2, (marks[k + 1] - marks[k]) / 2) if span else 0
        if w <= 0:
            continue
        s = e["step"]
        e["loss_before"] = _level(xs, ys, s - w, s)
        e["loss_after"] = _level(xs, ys, s, s + w + 1e-9 * abs(s + w))
        e["loss_earlier"] = _level(xs, ys, s - 2 * w, s - w)
        e["loss_first"] = _level(xs, ys, first, first + w)


def _end_after_nonfinite(values: Sequence[float]) -> float | str | None:
    """The end level of a training loss that has NaN/inf in it: "NaN" or
    "inf" when the log ends so (its last value), else the median of the
    finite values in its last tenth (None when none is finite)."""
    last = values[-1]
    if not math.isfinite(last):
        return "NaN" if math.isnan(last) else ("inf" if last > 0 else "-inf")
    part = [v for v in values[-max(3, len(values) // 10):] if math.isfinite(v)]
    return median(part) if part else None


def _relative(a: float | None, b: float | None) -> float | None:
    """(a - b) / a: the share of `a` lost by `b`."""
    if a is None or b is None or a == 0:
        return None
    return (a - b) / abs(a)


def analyse_log(data: LogData, roles: dict[str, str | None]) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, dict]]]:
    """(observations with full names, details, notes as (message key, values))."""
    notes: list[tuple[str, dict]] = list(data.notes)
    train, sorted_ = data.series[roles["train"]].sorted_by_step()
    if sorted_:
        notes.append(("logs.note_sorted", {"column": roles["train"]}))
    val = data.series[roles["val"]].sorted_by_step()[0] if roles["val"] else None
    start = start_level(train.values)
    if start is not None:
        notes.append(("logs.note_start_blowup", {"first": start}))
    result = curves.analyse(train.steps, train.values,
                            val.steps if val is not None else None, val.values if val is not None else None,
                            start_level=start)
    obs: dict[str, Any] = {f"curve.{k}": v for k, v in result.observations.items()}
    obs["logs.rows"] = data.rows
    n_ok = finite_prefix(train.steps, train.values)
    bad = sum(1 for v in train.values if not math.isfinite(v)) if n_ok < len(train) else 0
    obs["logs.nonfinite_count"] = bad
    if bad:
        obs["logs.finite_after_nonfinite"] = len(train) - n_ok - bad
    if n_ok < 8:
        notes.append(("logs.note_few_points", {"points": n_ok}))
    xs, ys = list(train.steps[:n_ok]), list(train.values[:n_ok])
    tail = _end_after_nonfinite(train.values) if bad else None
    if bad:
        # The curve analysis reads the finite part before the first NaN/inf, so
        # its end level is the loss just before the blow-up, not at the end of
        # the log ("0.3066 at the end" of a log that ends in NaN). The end is
        # the last tenth of the log: NaN/inf when the log ends so, else the
        # median of its finite values.
        obs["curve.end_loss"] = None if isinstance(tail, str) else tail
    value = rebound(xs, ys)
    if value is not None:
        obs["logs.rebound"] = value

    details: dict[str, Any] = {}
    if isinstance(tail, str):
        details["train_end"] = tail
    tx, ty = thin(train.steps, train.values, DETAIL_POINTS)
    details["train"] = Curve(tx, {"losses": ty})
    if val is not None:
        vx, vy = thin(val.steps, val.values, DETAIL_POINTS)
        details["val"] = Curve(vx, {"losses": vy})
    if roles["lr"]:
        lr, _ = data.series[roles["lr"]].sorted_by_step()
        finite = lr.values if all_finite(lr.values) else [v for v in lr.values if math.isfinite(v)]
        events = lr_events(lr)
        event_effects(events, xs, ys)
        if finite:
            obs["logs.lr_max"] = max(finite)
            obs["logs.lr_min"] = min(finite)
        obs["logs.lr_changes"] = len(events)
        obs["logs.lr_drops"] = sum(1 for e in events if e["after"] < e["before"])
        obs["logs.lr_rises"] = sum(1 for e in events if e["after"] > e["before"])
        drops = [e for e in events if e["after"] < e["before"] and e.get("loss_before") is not None]
        if drops:
            e = max(drops, key=lambda d: d["before"] / d["after"])
            obs["logs.lr_drop_step"] = e["step"]
            obs["logs.lr_drop_factor"] = e["before"] / e["after"]
            after = _relative(e["loss_before"], e.get("loss_after"))
            if after is not None:
                obs["logs.loss_change_after_lr_drop"] = after
            earlier = _relative(e.get("loss_earlier"), e["loss_before"])
            if earlier is not None:
                obs["logs.loss_change_before_lr_drop"] = earlier
            progress = _relative(e.get("loss_first"), e["loss_before"])
            if progress is not None:
                obs["logs.drop_before_lr_drop"] = progress
        lx, ly = thin(lr.steps, lr.values, DETAIL_POINTS)
        details["lr"] = Curve(lx, {"values": ly}, extra={"events": events[:MAX_EVENTS]})
    if roles["grad_norm"]:
        gn, _ = data.series[roles["grad_norm"]].sorted_by_step()
        growth = grad_norm_growth(gn)
        if growth is not None:
            obs["logs.grad_norm_growth"] = growth
        gx, gy = thin(gn.steps, gn.values, DETAIL_POINTS)
        details["grad_norm"] = Curve(gx, {"values": gy})
    details["columns"] = {**roles, "x_axis": data.x_axis, "available": data.columns[:100]}
    details["source"] = {"format": data.source, "path": data.path, "rows": data.rows}
    if "binned" in result.details:
        details["binned"] = result.details["binned"]
    obs = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in obs.items()}
    for key in ("curve.nonfinite_step", "logs.lr_drop_step"):       # steps read as floats: 600.0 -> 600
        if isinstance(obs.get(key), float) and obs[key].is_integer():
            obs[key] = int(obs[key])
    return {k: v for k, v in obs.items() if v is not None}, details, notes
