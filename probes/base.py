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

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def out_of_time(self) -> bool:
        return self.elapsed() >= self.budget.seconds

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

