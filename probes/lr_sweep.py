"""LR range test (Leslie Smith, "Cyclical Learning Rates", 2017).

A fresh copy of the model and a fresh optimizer from the user's factory
train for a few steps while the learning rate grows exponentially over a
wide range; only the learning rate differs from the user's set-up. The
curve gives the region where the loss falls, the point where it diverges,
a suggested rate, and where the user's own rate sits.

Diagnoses (through the knowledge base): lr_too_high, lr_too_low.
"""
from __future__ import annotations

import math
from typing import Sequence

import torch

from loss_advisor.core.kb import threshold
from loss_advisor.core.records import INLINE_MARKS, Curve
from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped
from loss_advisor.probes.declared import DECLARED

LR_START = 1e-7
LR_END = 10.0
# Divergence: the smoothed loss is this many times its best so far and above
# where it started; a divergence within the sweep's first decades means no
# rate was safe (values and reasons: knowledge/thresholds.yaml).
DIVERGE_FACTOR = threshold("lr_sweep.diverge_factor")
DIVERGED_AT_START_DECADES = threshold("lr_sweep.diverged_at_start_decades")
# Causal smoothing for the stop test (a lag of about three steps).
STOP_BETA = 0.7
# The suggestion ends the steep descent where the slope falls below this
# share of its steepest value.
STEEP_SHARE = 0.5


def finite_batch(batch) -> bool:
    tensors = [t for part in batch for t in (part.values() if isinstance(part, dict) else
                                             (part if isinstance(part, (list, tuple)) else [part]))
               if isinstance(t, torch.Tensor) and t.is_floating_point()]
    return all(bool(torch.isfinite(t).all()) for t in tensors)


def centered_smooth(values: Sequence[float], window: int) -> list[float]:
    """Centered moving average (no lag), the window shrinking at the ends."""
    half = window // 2
    out = []
    for i in range(len(values)):
        lo, hi = max(0, i - half), min(len(values), i + half + 1)
        out.append(sum(values[lo:hi]) / (hi - lo))
    return out


def analyse(lrs: Sequence[float], losses: Sequence[float], diverged_lr: float | None) -> dict:
    """Turn a sweep into its landmarks. Works on log-loss so that scale does not matter.

    Suggested rate: the end of the steepest stretch of the smoothed log-loss
    against log-lr, searched before the minimum (see STEEP_SHARE).
    """
    n = len(losses)
    if n < 10:
        return {"divergence_lr": diverged_lr} if diverged_lr is not None else {}
    positive = min(losses) > 0
    ys = [math.log(v) if positive else v for v in losses]
    window = max(5, (n // 12) | 1)
    smooth = centered_smooth(ys, window)
    i_min = min(range(n), key=lambda i: smooth[i])
    start = sum(smooth[: max(3, window // 2)]) / max(3, window // 2)
    best = smooth[i_min]
    result: dict = {"min_loss_lr": lrs[i_min], "i_min": i_min}
    drop = start - best
    result["loss_drop"] = (1 - math.exp(-drop)) if positive else (drop / abs(start) if start else 0.0)
    if drop > 0:
        threshold = start - 0.1 * drop
        result["descent_start_lr"] = next(lrs[i] for i in range(n) if smooth[i] <= threshold)
    # Slopes of the smoothed log-loss against log-lr, over one window's width.
    half = window // 2
    slope_at = {}
    for i in range(half, max(half, i_min) + 1):
        lo, hi = max(0, i - half), min(n - 1, i + half)
        if hi > lo:
            slope_at[i] = (smooth[hi] - smooth[lo]) / (math.log(lrs[hi]) - math.log(lrs[lo]))
    if slope_at and drop > 0:
        i_steep = min(slope_at, key=slope_at.get)
        if slope_at[i_steep] < 0:
            result["steepest_lr"] = lrs[i_steep]
            # The suggestion: the end of the steep descent, the largest rate
            # before the minimum where the loss still falls at least half as
            # fast as at its steepest. The steepest point is where a few steps
            # gain most; a long run at a fixed rate tolerates, and gains from,
            # rates up to where the descent flattens (measured against
            # torch-lr-finder in benchmarks/lr_finder_compare.py).
            j = i_steep
            while j + 1 in slope_at and slope_at[j + 1] <= STEEP_SHARE * slope_at[i_steep]:
                j += 1
            result["suggested_lr"] = lrs[j]
    if diverged_lr is not None:
        result["divergence_lr"] = diverged_lr
    else:
        # A rise past the minimum without an early stop still marks divergence.
        for i in range(i_min, n):
            if smooth[i] - best > math.log(DIVERGE_FACTOR) and smooth[i] > start and positive:
                result["divergence_lr"] = lrs[i]
                break
    result["smoothed"] = [math.exp(v) if positive else v for v in smooth]
    return result


class LRSweepProbe(Probe):
    name = "lr_sweep"
    title = {"en": "LR range test", "ja": "学習率レンジテスト"}
    budgets = {"fast": Budget(100, 6.0), "full": Budget(200, 30.0)}
    observations = DECLARED["lr_sweep"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        user_lr = h.user_lr
        if not user_lr or user_lr <= 0:
            raise ProbeSkipped("no_learning_rate")
        lo = min(LR_START, user_lr / 100)
        hi = max(LR_END, user_lr * 10)
        # Fewer steps sweep the same range more coarsely; stopping early would
        # sweep only its low end.
        steps = ctx.plan(max(20, ctx.budget.steps), minimum=10)
        model = h.fresh_model()
        opt = h.build_optimizer(model, lr=lo).optimizer
        base = [g["lr"] for g in opt.param_groups]
        lrs, losses = [], []
        ema, best, first = None, math.inf, None
        diverged_lr = None
        skipped = 0
        stream = h.stream()
        for i in range(steps):
            lr = lo * (hi / lo) ** (i / (steps - 1))
            for g, b in zip(opt.param_groups, base):
                g["lr"] = b * lr / lo
            batch = next(stream)
            if not finite_batch(batch):
                skipped += 1      # NaN in the data says nothing about the rate
                continue
            loss = h.train_step(model, opt, batch)
            if not math.isfinite(loss):
                diverged_lr = lr
                break
            lrs.append(lr)
            losses.append(loss)
            ema = loss if ema is None else STOP_BETA * ema + (1 - STOP_BETA) * loss
            first = ema if first is None else first
            best = min(best, ema)
            if i > 5 and ema > DIVERGE_FACTOR * best and ema > first:
                diverged_lr = lr
                break
            ctx.check((i + 1) / steps, f"lr={lr:.2g}")
            if ctx.out_of_time():
                break
        land = analyse(lrs, losses, diverged_lr)
        out = Output()
        obs = out.observations
        obs["user_lr"] = user_lr
        obs["steps"] = len(losses)
        suggestion = land.get("suggested_lr")
        if suggestion is None and "min_loss_lr" in land and land.get("loss_drop", 0) > 0:
            suggestion = land["min_loss_lr"] / 10
        if "divergence_lr" in land:
            obs["diverged_at_start"] = land["divergence_lr"] <= lo * 10 ** DIVERGED_AT_START_DECADES
        for key in ("min_loss_lr", "divergence_lr", "descent_start_lr", "loss_drop"):
            if key in land:
                obs[key] = land[key]
        if suggestion:
            obs["suggested_lr"] = suggestion
            obs["user_over_suggested"] = user_lr / suggestion
        if "divergence_lr" in land:
            obs["user_over_divergence"] = user_lr / land["divergence_lr"]
        if "min_loss_lr" in land:
            obs["user_over_min_loss"] = user_lr / land["min_loss_lr"]
            smooth = land.get("smoothed") or []
            if smooth and lrs[0] <= user_lr <= lrs[-1]:
                at_user = min(range(len(lrs)), key=lambda i: abs(math.log(lrs[i] / user_lr)))
                best, start = min(smooth), smooth[0]
                if start > best:
                    obs["loss_at_user_vs_start"] = (smooth[at_user] - best) / (start - best)
        if "descent_start_lr" in land:
            obs["user_over_descent_start"] = user_lr / land["descent_start_lr"]
        if skipped:
            out.notes.append(f"{skipped} batches with NaN/inf values were left out of the sweep")
        if len(losses) < 10:
            out.notes.append(f"the sweep stopped after {len(losses)} steps")
        # The sweep's curve, marked where the user's and the measured rates lie
        # (inline in the findings on the wire: lrs, losses, smoothed).
        marks = {k: obs[k] for k in INLINE_MARKS if obs.get(k) is not None}
        out.details["sweep"] = Curve(lrs, {"losses": losses, "smoothed": land.get("smoothed", [])}, "lrs",
                                     marks, inline=True)
        out.details["lr_range"] = [lo, hi]
        return out
