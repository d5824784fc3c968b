"""The learning-rate schedule, simulated over the steps a run would take.

When the target gives a `scheduler` factory, a fresh copy of the optimizer
gets a fresh scheduler, and the scheduler is stepped as the target says
the user's loop steps it (`scheduler_interval`: after every optimizer step,
or once per pass over train_data) for one pass over the data (two when it
is stepped per epoch). No weights move: only the rate of each step is read.
The observations say where the rate first falls to 1% of its peak, in
passes over the data, and whether it starts at its peak (no warmup).

Diagnoses (through the knowledge base): lr_schedule_misconfigured (a
per-epoch scheduler stepped every batch, a schedule that reaches zero
early), or a schedule that follows its plan.
"""
from __future__ import annotations

import warnings

import torch

from loss_advisor.core.kb import threshold
from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probing.harness import Harness, optimizer_lr
from loss_advisor.probing.setupwatch import schedule_observations

# Steps simulated when train_data has no length (an iterable dataset), and
# the most ever simulated (a scheduler step costs microseconds).
UNKNOWN_EPOCH_STEPS = 1000
MAX_STEPS = 20_000


class ScheduleProbe(Probe):
    name = "schedule"
    title = {"en": "Learning-rate schedule over a pass over the data", "ja": "データ1周分の学習率スケジュール"}
    budgets = {"fast": Budget(0, 2.0), "full": Budget(0, 5.0)}
    observations = DECLARED["schedule"]

    def applies(self, harness: Harness) -> str | None:
        return None if harness.target.scheduler is not None else "no_scheduler"

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        out = Output()
        obs = out.observations
        model = h.fresh_model()
        opt = h.build_optimizer(model).optimizer
        sched = h.target.scheduler(opt)
        obs["scheduler"] = type(sched).__name__
        per_step = h.target.scheduler_interval == "step"
        obs["stepped_per_batch"] = per_step
        if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
            # Its rate follows the metric it is fed, not the step count.
            raise ProbeSkipped("plateau_scheduler")
        per_epoch = h.batches_per_epoch()
        horizon = min(MAX_STEPS, (per_epoch or UNKNOWN_EPOCH_STEPS) * (1 if per_step else 2))
        lrs: list[float] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # "scheduler.step() before optimizer.step()": no weights move here
            for i in range(horizon):
                lrs.append(float(optimizer_lr(opt) or 0.0))
                if per_step or (per_epoch and (i + 1) % per_epoch == 0):
                    sched.step()
                if i % 256 == 0:
                    ctx.check((i + 1) / horizon, f"step {i + 1}/{horizon}")
                    if ctx.out_of_time():
                        break
        obs.update({k.split(".", 1)[1]: v for k, v in
                    schedule_observations(lrs, per_epoch, threshold("schedule.collapse_ratio")).items()})
        return out
