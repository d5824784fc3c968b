"""Probe a target and build the Result: the one path every mode shares.

The CLI's `probe`, the Python `diagnose()`, the TUI's measurements and the
watch mode's `--then-probe` all come through here, so the engine and the
probes are wired together in exactly one place.
"""
from __future__ import annotations

from typing import Callable, Iterable

from loss_advisor.core.engine import Session
from loss_advisor.core.kb import KnowledgeBase, load_kb
from loss_advisor.core.result import Result, reproduce_info
from loss_advisor.pipeline.runner import Progress, ProbeRecord, RunOutcome, run_probes
from loss_advisor.probing.target import Target


def feed(session: Session, outcome: RunOutcome) -> None:
    """Hand every probe's observations to the engine, probe by probe."""
    for record in outcome.records:
        if record.observations:
            session.observe(record.observations, source=record.name)


def probe_into(session: Session, target: Target, probes: Iterable[str] | None = None, device: str = "auto",
               budget: str = "fast", seed: int = 0, progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None,
               on_record: Callable[[ProbeRecord], None] | None = None) -> RunOutcome:
    """Run probes and feed their observations into an existing session (the
    TUI keeps the user's answers); each record is fed as soon as it is done."""
    def fed(record: ProbeRecord) -> None:
        if record.observations:
            session.observe(record.observations, source=record.name)
        if on_record is not None:
            on_record(record)

    return run_probes(target, probes=probes, device=device, budget=budget, seed=seed,
                      progress=progress, cancelled=cancelled, on_record=fed)


def diagnose_target(target: Target, probes: Iterable[str] | None = None, device: str = "auto",
                    budget: str = "fast", lang: str = "en", seed: int = 0, kb: KnowledgeBase | None = None,
                    progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                    argv: list[str] | None = None) -> Result:
    kb = kb or load_kb()
    outcome = run_probes(target, probes=probes, device=device, budget=budget, seed=seed,
                         progress=progress, cancelled=cancelled)
    session = Session(kb, lang)
    feed(session, outcome)
    return Result(session=session, probes=list(outcome.records), setup=outcome.setup,
                  reproduce=reproduce_info(argv, seed=seed, budget=budget, device=outcome.device),
                  target=target.spec, mode="probe")
