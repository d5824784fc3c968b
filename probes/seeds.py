"""Seed sensitivity: the same short run from three seeds.

When the target function accepts a `seed` keyword it is called again with
seeds 1, 2, 3 for independent set-ups (CONTRACT.md section 2); otherwise
copies of the model are re-initialised with each module's
reset_parameters() under those seeds. Each run uses the user's optimizer
and data order under its seed; the spread of the final losses against
their median says how much the outcome depends on the draw.

Diagnoses (through the knowledge base): seed_sensitivity.
"""
from __future__ import annotations

import math
import statistics

import torch
from torch import nn

from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped
from loss_advisor.probes.declared import DECLARED
from loss_advisor.core.curves import analyse
from loss_advisor.probing.harness import Harness

SEEDS = (1, 2, 3)
# A run "failed" when the best run removed at least GOOD_DROP of its
# starting loss and this one either removed under FAILED_DROP, or stalled
# (under STALLED over the last 40% of the run) at least a quarter of the
# starting loss above the best run. A run that ends high but is still
# falling is slow, not failed: some seeds merely start learning later.
FAILED_DROP, GOOD_DROP, STALLED, BEHIND = 0.10, 0.30, 0.05, 0.25


def reinitialise(model: nn.Module, seed: int) -> int:
    """reset_parameters() on every module that has it and trains; returns how many.

    Frozen modules (requires_grad=False: a pretrained backbone) keep their
    weights: re-drawing them would turn a fine-tuning set-up into a random
    frozen network."""
    torch.manual_seed(seed)
    count = 0
    for m in model.modules():
        reset = getattr(m, "reset_parameters", None)
        own = list(m.parameters(recurse=False))
        if callable(reset) and all(p.requires_grad for p in own):
            reset()
            count += 1
    return count


def same_length(runs: list[tuple[list[int], list[float]]]) -> list[tuple[list[int], list[float]]]:
    """The seeds' runs cut to the steps they all reached. The time cap can stop
    a later seed's run early (other processes slow the machine), and losses
    read at different steps differ by training, not by seed: compared as they
    came, a busy machine read as seed sensitivity. A run that diverged keeps
    its non-finite end (that difference is the seed's), and sets no length."""
    finite = [len(losses) for _, losses in runs if losses and all(math.isfinite(v) for v in losses)]
    if not finite:
        return runs
    n = min(finite)
    return [(steps, losses) if not all(math.isfinite(v) for v in losses) else (steps[:n], losses[:n])
            for steps, losses in runs]


class SeedsProbe(Probe):
    name = "seeds"
    title = {"en": "Seed sensitivity", "ja": "シードによるばらつき"}
    budgets = {"fast": Budget(900, 8.0), "full": Budget(3000, 60.0)}
    observations = DECLARED["seeds"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        # Every seed gets the same steps: a cut shortens each run, never drops one.
        steps = ctx.plan(max(30, ctx.budget.steps // len(SEEDS)), runs=len(SEEDS), minimum=10)
        uses_seed = h.target.accepts_seed
        out = Output()
        ends, drops, starts, lates = [], [], [], []
        runs: list[tuple[list[int], list[float]]] = []
        for k, seed in enumerate(SEEDS):
            if uses_seed:
                harness = Harness(h.target.with_seed(seed), h.device)
                model = harness.own_model()
            else:
                harness = h
                model = h.fresh_model()
                if reinitialise(model, seed) == 0:
                    raise ProbeSkipped("no_reset_parameters")
            torch.manual_seed(seed)
            opt = harness.build_optimizer(model).optimizer

            def tick(i: int, _k=k) -> bool:
                ctx.check((_k + (i + 1) / steps) / len(SEEDS), f"seed {seed}")
                return ctx.out_of_time()

            run = harness.train(model, opt, steps, tick=tick)
            h.steps += len(run.losses) if harness is not h else 0
            runs.append((list(run.steps), list(run.losses)))
            if ctx.out_of_time() and k < len(SEEDS) - 1:
                out.notes.append(f"time cap reached after {k + 1} seeds")
                break
        for run_steps, losses in same_length(runs):
            curve = analyse(run_steps, losses).observations
            if "end_loss" not in curve or curve.get("nonfinite_step") is not None:
                ends.append(math.inf)
                drops.append(-math.inf)
            else:
                ends.append(curve["end_loss"])
                starts.append(curve["start_loss"])
                drops.append(curve.get("relative_drop", 0.0))
                lates.append(curve.get("late_drop", 0.0))
        out.observations["method"] = "target(seed=...)" if uses_seed else "reset_parameters()"
        out.observations["runs"] = len(ends)
        finite = [e for e in ends if math.isfinite(e)]
        if len(ends) >= 2 and len(finite) == len(ends) and starts:
            # Measured against where the runs started, the scale of the problem:
            # against the best end loss, two healthy runs ending at 0.01 and
            # 0.03 would look 200% apart.
            scale = abs(statistics.fmean(starts)) or 1.0
            out.observations["spread"] = (max(ends) - min(ends)) / scale
        elif finite:
            out.observations["spread"] = 1.0          # some runs blew up, others did not
        if len(ends) >= 2:
            out.observations["failed_runs"] = self._failed(ends, drops, starts, lates)
        out.details["final_losses"] = ends
        out.details["relative_drops"] = drops
        return out

    @staticmethod
    def _failed(ends: list[float], drops: list[float], starts: list[float], lates: list[float]) -> int:
        if max(drops) < GOOD_DROP or not starts:
            return 0
        best = min(e for e in ends if math.isfinite(e))
        scale = abs(statistics.fmean(starts)) or 1.0
        failed = 0
        for end, drop, late in zip(ends, drops, lates):
            stuck_behind = math.isfinite(end) and end - best >= BEHIND * scale and late < STALLED
            failed += drop < FAILED_DROP or stuck_behind
        return failed
