"""Probe a target and build the Result: the one path every mode shares.

The CLI's `probe`, the Python `diagnose()`, the TUI's measurements and the
watch mode's `--then-probe` all come through here, so the engine and the
probes are wired together in exactly one place.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from loss_advisor.core.engine import Session
from loss_advisor.core.kb import KnowledgeBase, load_kb
from loss_advisor.core.records import json_safe
from loss_advisor.core.result import Result, reproduce_info
from loss_advisor.pipeline.runner import Progress, ProbeRecord, RunOutcome, Stage, run_probes
from loss_advisor.probing.target import Target

STAGE = "interventions"


def testable(kb: KnowledgeBase, cause: str) -> bool:
    spec = kb.causes[cause].intervention if cause in kb.causes else None
    return spec is not None and spec.mechanism is not None


def check_requested(kb: KnowledgeBase, causes: Iterable[str]) -> list[str]:
    """The causes a user asked to test (`probe --verify`), checked: "all" is
    every cause with a mechanism; an unknown ID or a cause with none is a
    ValueError that says which and why."""
    wanted = [c.strip() for c in causes if c.strip()]
    if "all" in wanted:
        return [c for c in kb.causes if testable(kb, c)]
    unknown = [c for c in wanted if c not in kb.causes]
    if unknown:
        raise ValueError(f"unknown cause ID for --verify: {', '.join(unknown)} (see `loss-advisor kb show`)")
    untestable = [c for c in wanted if not testable(kb, c)]
    if untestable:
        raise ValueError(f"no intervention tests {', '.join(untestable)}: the knowledge base says why "
                         f"under its intervention entry (`loss-advisor kb show`)")
    return list(dict.fromkeys(wanted))


def plans(session: Session, k: int, requested: Iterable[str] = ()) -> list[Any]:
    """The causes to test: every cause at 0.5 or above and the close runners-up
    (interventions.runner_up), best first, at most k, each with a mechanism;
    then the causes the user asked for (`requested`), whatever their rank; and
    for each, the symptoms of the other causes to re-measure."""
    from loss_advisor.probes.interventions import SYMPTOMS, Plan

    floor = float(session.kb.thresholds.get("interventions.runner_up", 0.25))
    ranked = [d for d in session.diagnoses() if d.confidence >= min(floor, 0.5)
              and session.kb.causes[d.cause].kind == "fault"]
    out = []
    for d in ranked:
        spec = session.kb.causes[d.cause].intervention
        if spec is None or spec.mechanism is None:
            continue
        # Every symptom is re-measured, not only those the probes ranked: a
        # symptom the probes explain away (inputs the reference training uses)
        # can still be what the user's own training shows, and the paired run
        # measures it in both arms (cheap: one batch at the end of one seed).
        # The cause's own symptom too: a change that helps where that symptom
        # is absent does not confirm the cause (core/engine.py).
        out.append(Plan(d.cause, spec.mechanism, tuple(SYMPTOMS)))
        if len(out) >= k:
            break
    chosen = {p.cause for p in out}
    out += [Plan(c, session.kb.causes[c].intervention.mechanism, tuple(SYMPTOMS))
            for c in requested if c not in chosen]
    return out


def stage_record(outcomes: Mapping[str, Mapping[str, Any]]) -> ProbeRecord:
    """The interventions' record: the outcomes by cause under "outcomes", and
    by each cause's id the Curve of both arms' mean loss (as_is, with_change)."""
    details: dict[str, Any] = {"outcomes": {c: json_safe({k: v for k, v in o.items() if k != "curve"})
                                            for c, o in outcomes.items()}}
    details.update({c: o["curve"] for c, o in outcomes.items() if o.get("curve") is not None})
    return ProbeRecord(STAGE, "ok", details=details)


def intervention_stage(kb: KnowledgeBase, budget: str, seed: int = 0, requested: Iterable[str] = ()) -> Stage:
    """The paired runs after the probes (issue 13): rank what the probes
    found, test the leading causes (and the `requested` ones), hand back one
    record."""
    requested = check_requested(kb, requested)
    from loss_advisor.probes.interventions import budget_sizes

    sizes = budget_sizes(budget)

    def run(harness, observations: Mapping[str, Any], cancelled: Callable[[], bool]) -> ProbeRecord | None:
        from loss_advisor.probes.interventions import Interventions

        session = Session(kb)
        session.observe(observations)
        chosen = plans(session, sizes.candidates, requested)
        if not chosen:
            return None                   # nothing likely enough to test: no record
        return stage_record(Interventions(harness, observations, sizes, seed=seed, cancelled=cancelled).run(chosen))

    return Stage(STAGE, run, limit=2 * sizes.seconds + 30.0)


def verify_causes(session: Session, target: Target, causes: Iterable[str], device: str = "auto",
                  budget: str = "fast", seed: int = 0, cancelled: Callable[[], bool] | None = None,
                  progress: Callable[[float, str], None] | None = None) -> RunOutcome:
    """Test the given causes by intervention now, on demand (the TUI's "verify
    this remedy"), with what the session has observed; the outcomes join the
    session's and the ranking follows. Runs inside the runner's snapshot
    (the user's objects come back bit-identical), bounded and cancellable;
    a cause without a mechanism is left out."""
    from loss_advisor.probes.interventions import SYMPTOMS, Interventions, Plan, budget_sizes

    sizes = budget_sizes(budget)
    chosen = [Plan(c, session.kb.causes[c].intervention.mechanism, tuple(SYMPTOMS))
              for c in causes if testable(session.kb, c)]

    def run(harness, observations: Mapping[str, Any], stop: Callable[[], bool]) -> ProbeRecord | None:
        if not chosen:
            return ProbeRecord(STAGE, "skipped", message_key="probes.no_candidates",
                               message="no cause is likely enough to test by experiment")
        seen = {**observations, **session.observations}
        return stage_record(Interventions(harness, seen, sizes, seed=seed, cancelled=stop,
                                          progress=progress or (lambda f, m: None)).run(chosen))

    outcome = run_probes(target, probes=["data"], device=device, budget=budget, seed=seed, cancelled=cancelled,
                         after=Stage(STAGE, run, limit=2 * sizes.seconds + 30.0))
    found = outcomes_of(outcome.records)
    if found:
        session.set_interventions({**session.interventions, **found})
    return outcome


def outcomes_of(records: Iterable[ProbeRecord]) -> dict[str, dict[str, Any]]:
    """The interventions' outcomes by cause, from the stage's record."""
    for record in records:
        if record.name == STAGE and isinstance(record.details.get("outcomes"), Mapping):
            return dict(record.details["outcomes"])
    return {}


def feed(session: Session, outcome: RunOutcome) -> None:
    """Hand every probe's observations to the engine, probe by probe, and
    the interventions' outcomes."""
    for record in outcome.records:
        if record.observations:
            session.observe(record.observations, source=record.name)
    found = outcomes_of(outcome.records)
    if found:
        session.set_interventions(found)


def probe_into(session: Session, target: Target, probes: Iterable[str] | None = None, device: str = "auto",
               budget: str = "fast", seed: int = 0, progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None,
               on_record: Callable[[ProbeRecord], None] | None = None, verify: bool = True) -> RunOutcome:
    """Run probes and feed their observations into an existing session (the
    TUI keeps the user's answers); each record is fed as soon as it is done.
    `verify`: test the leading causes by intervention afterwards."""
    def fed(record: ProbeRecord) -> None:
        if record.observations:
            session.observe(record.observations, source=record.name)
        found = outcomes_of([record])
        if found:
            session.set_interventions(found)
        if on_record is not None:
            on_record(record)

    return run_probes(target, probes=probes, device=device, budget=budget, seed=seed,
                      progress=progress, cancelled=cancelled, on_record=fed,
                      after=intervention_stage(session.kb, budget, seed) if verify and not probes else None)


def diagnose_target(target: Target, probes: Iterable[str] | None = None, device: str = "auto",
                    budget: str = "fast", lang: str = "en", seed: int = 0, kb: KnowledgeBase | None = None,
                    progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                    argv: list[str] | None = None, verify: bool = True, requested: Iterable[str] = ()) -> Result:
    """Probe, rank, and (with `verify`, the default) test the leading causes
    by intervention before the final ranking; `requested`: causes to test
    besides, whatever their rank ("all": every cause with a mechanism)."""
    kb = kb or load_kb()
    # The interventions test what the whole suite ranked: a run of chosen
    # probes (--probes) ranks on part of the evidence and is left as it is.
    outcome = run_probes(target, probes=probes, device=device, budget=budget, seed=seed,
                         progress=progress, cancelled=cancelled,
                         after=intervention_stage(kb, budget, seed, requested) if verify and not probes else None)
    session = Session(kb, lang)
    feed(session, outcome)
    return Result(session=session, probes=list(outcome.records), setup=outcome.setup,
                  reproduce=reproduce_info(argv, seed=seed, budget=budget, device=outcome.device),
                  target=target.spec, mode="probe")
