"""What every probe is: a name, the observations it declares, a budget, run().

A probe measures; it does not decide. It returns observations (named
numbers, flags or labels that the knowledge base's questions read) and
details (curves and tables for plots and reports). Thresholds that turn
measurements into answers live in knowledge/tree.yaml.
"""
from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from loss_advisor.probing.harness import Harness
from loss_advisor.core.i18n import t
from loss_advisor.core.observations import Observation


# The hard limit after which the runner stops waiting for a probe. `seconds`
# is a soft cap that a probe checks between steps, so it can overrun by the
# step in flight and its closing evaluation: allow as much again as the
# budget (LIMIT_FACTOR), plus LIMIT_GRACE_S for one very slow step (a large
# model on a CPU takes tens of seconds per step). Past that the step is not
# slow but stuck, and waiting longer only hides it.
LIMIT_FACTOR = 2.0
LIMIT_GRACE_S = 30.0
# plan() sizes a probe's steps to this share of its seconds: the step time
# is measured on earlier steps and varies (the first step of an optimizer
# allocates its state; other processes share the cores), and a probe also
# evaluates and sets up around its loop.
PLAN_MARGIN = 0.8
# plan() leaves a probe alone when one step takes less than this share of
# its seconds: its own out_of_time() check then overruns by a step at most,
# as it always has. Such steps are mostly fixed overhead (Python, launching
# kernels), so a time per example read off them overstates what larger
# batches and evaluation passes cost (measured: a 64-wide MLP on digits at
# 15 ms a step was planned to 107 of 300 steps that took 2.4 of its 6 s, and
# its overfitting went unseen). Planning is for steps that eat the budget.
PLAN_MIN_FRACTION = 0.01
# A budget in seconds (--budget SECONDS) is shared among the chosen probes
# in proportion to their full budgets' seconds (what each needs to measure
# well), and no probe gets more than this share of it: one slow probe must
# not eat the run.
MAX_SHARE = 1 / 3


def share_budgets(probes, seconds: float) -> dict[str, "Budget"]:
    """Each probe's Budget out of `seconds` for the whole run (see MAX_SHARE)."""
    weights = {p.name: p.budgets["full"].seconds for p in probes}
    total = sum(weights.values()) or 1.0
    cap = seconds * MAX_SHARE if len(weights) >= 3 else seconds / max(1, len(weights))
    return {p.name: Budget(p.budgets["full"].steps, min(cap, seconds * weights[p.name] / total)) for p in probes}


@dataclass(frozen=True)
class Budget:
    steps: int        # training-step equivalents the probe may spend
    seconds: float    # wall-clock cap; the probe stops early and says so
    limit: float | None = None   # hard limit in seconds; None: derived from `seconds`

    def hard_limit(self) -> float:
        """Seconds after which the runner abandons the probe and reports it timed out."""
        return self.limit if self.limit is not None else LIMIT_FACTOR * self.seconds + LIMIT_GRACE_S


class ProbeSkipped(Exception):
    """The probe does not apply to this set-up. `key` names the reason in
    loss_advisor/messages/probes.yaml (both languages); `params` fill it."""

    def __init__(self, key: str, **params: object):
        self.key, self.params = f"probes.{key}", params
        super().__init__(t(self.key, "en", **params))


class Cancelled(Exception):
    """The user cancelled the run."""


@dataclass
class Output:
    observations: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Context:
    """What a probe gets: the harness, its budget, earlier probes' observations."""
    harness: Harness
    budget: Budget
    observations: Mapping[str, Any]
    seed: int = 0
    progress: Callable[[float, str], None] = lambda fraction, message: None
    cancelled: Callable[[], bool] = lambda: False
    started: float = field(default_factory=time.perf_counter)
    # What plan() cut to fit the budget: wanted and planned steps, the step time, the seconds.
    cuts: list[dict[str, Any]] = field(default_factory=list)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def out_of_time(self) -> bool:
        return self.elapsed() >= self.budget.seconds

    def plan(self, wanted: int, examples: int | None = None, runs: int = 1, minimum: int = 1,
             extra_examples: int = 0) -> int:
        """How many of `wanted` training steps (of `examples` examples each,
        default the user's batch size) fit, `runs` times over, in what is left
        of this probe's seconds, at the step time the harness has measured
        (it times every reference step, the first one of each probe
        included). `extra_examples` are forward-only passes per run (an
        evaluation), counted at a third of a training step per example.
        Fewer than wanted: the cut is recorded and the run's output says
        what was cut and why. Fewer than `minimum`: the probe is skipped, as
        a comparison that short would measure nothing."""
        size = examples if examples else (self.harness.batch_size or 1)
        step = self.harness.estimate_step(size)
        if step is None or wanted <= 0:
            return wanted
        if step < PLAN_MIN_FRACTION * self.budget.seconds:
            return wanted
        left = max(0.0, self.budget.seconds * PLAN_MARGIN - self.elapsed()) / max(1, runs)
        left -= (self.harness.eval_seconds_per_example() or 0.0) * extra_examples
        affordable = int(left / step) if step > 0 else wanted
        if affordable >= wanted:
            return wanted
        if affordable < minimum:
            raise ProbeSkipped("budget_too_small", step=f"{step:.2g}", seconds=f"{self.budget.seconds:.3g}",
                               needed=minimum * max(1, runs))
        self.cuts.append({"wanted": wanted * max(1, runs), "planned": affordable * max(1, runs),
                          "step": round(step, 4), "seconds": round(self.budget.seconds, 3)})
        return affordable

    def fit_examples(self, wanted: int, minimum: int, seconds_per_example: float, share: float = 1.0) -> int:
        """How many of `wanted` examples one training step may take within
        `share` of what is left of this probe's seconds (never fewer than
        `minimum`, the user's own batch); a cut is recorded as plan()'s are."""
        if seconds_per_example * wanted < PLAN_MIN_FRACTION * self.budget.seconds:
            return wanted
        left = max(0.0, self.budget.seconds * PLAN_MARGIN - self.elapsed()) * share
        n = int(left / seconds_per_example) if seconds_per_example > 0 else wanted
        if n >= wanted:
            return wanted
        n = max(minimum, n)
        self.cuts.append({"key": "probes.budget_cut_examples", "wanted": wanted, "planned": n,
                          "step": round(seconds_per_example * wanted, 4), "seconds": round(self.budget.seconds, 3)})
        return n

    def check(self, fraction: float | None = None, message: str = "") -> None:
        """Between steps: raise Cancelled if asked to stop; report progress."""
        if self.cancelled():
            raise Cancelled()
        if fraction is not None:
            self.progress(min(max(fraction, 0.0), 1.0), message)


class Probe(ABC):
    name: str = ""
    title: Mapping[str, str] = {}
    observations: tuple[Observation, ...] = ()
    budgets: Mapping[str, Budget] = {"fast": Budget(0, 1.0), "full": Budget(0, 5.0)}
    # Probes whose observations this one reads; they run first.
    after: tuple[str, ...] = ()

    def applies(self, harness: Harness) -> str | None:
        """None when the probe applies, else the key of the reason it is skipped
        (as for ProbeSkipped)."""
        return None

    @abstractmethod
    def run(self, ctx: Context) -> Output:
        """Measure, within ctx.budget, and return observations and details."""

