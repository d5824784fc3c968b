"""The verdict: what a result amounts to, healthy, diagnosed or inconclusive.

CONTRACT section 4: `{"kind": "healthy" | "diagnosed" | "inconclusive",
"reasons": [...]}`. It is decided from what a result already holds (the
session's answers and observations, the probe records' statuses) and
measures nothing. The rules and their thresholds live in
knowledge/verdict.yaml, each with its reason; the words in
loss_advisor/messages/verdict.yaml.

- diagnosed: a fault (not the reassuring actually_decreasing) that is a
  finding to act on (loss_advisor.core.view.FINDING, CONTRACT's 0.5).
- healthy: no such fault, positive evidence that the loss falls (an answer
  listed under `health`), and nothing that rules health out.
- inconclusive: anything else, with the reasons (a NaN loss, a flat or
  swinging loss, failed probes, a script that stopped, too short a curve,
  or simply no evidence of a falling loss) and the likeliest causes.

A NaN/inf loss, a loss that does not fall, a failed run or an unmeasured
one is never healthy. Torch-free.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from loss_advisor.core import view
from loss_advisor.core.engine import AnswerRecord, Session, fill, format_value
from loss_advisor.core.i18n import pick, t
from loss_advisor.core.kb import KBError, KnowledgeBase, default_kb_dir, read_yaml

KINDS = ("healthy", "diagnosed", "inconclusive")
FILE = "verdict.yaml"
SYMPTOM = "q_symptom"


@dataclass(frozen=True)
class Verdict:
    kind: str
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "reasons": list(self.reasons)}

    def label(self, lang: str) -> str:
        return t(f"verdict.kind.{self.kind}", lang)

    def line(self, lang: str) -> str:
        """One line: the kind and its reasons (the first line of the text output)."""
        return t("verdict.line", lang, kind=self.label(lang), reasons="; ".join(self.reasons))


# --- the rules (knowledge/verdict.yaml) ---------------------------------------------

@dataclass(frozen=True)
class Rules:
    health: tuple[tuple[str, frozenset[str]], ...]
    never_healthy: tuple[tuple[str, frozenset[str]], ...]
    min_points: int
    chance_level: float
    stopped: frozenset[str]
    likeliest: int
    chance_classes: tuple[int, ...] = ()
    chance_tolerance: float = 0.0


def _problem(display: str, where: str, what: str) -> KBError:
    return KBError([f"{display}: {where}: {what}"])


def _number(doc: Mapping[str, Any], key: str, display: str, kind=float) -> Any:
    entry = doc.get(key)
    if not isinstance(entry, Mapping) or not isinstance(entry.get("reason"), str) or len(entry["reason"]) < 10:
        raise _problem(display, key, "needs a 'value' and a 'reason' (why the threshold is where it is)")
    value = entry.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
        raise _problem(display, key, f"'value' must be a{'n integer' if kind is int else ' number'}")
    return kind(value)


def _answers(doc: Mapping[str, Any], key: str, display: str, kb: KnowledgeBase) -> tuple[tuple[str, frozenset[str]], ...]:
    entry = doc.get(key)
    if not isinstance(entry, Mapping) or not isinstance(entry.get("reason"), str) \
            or not isinstance(entry.get("answers"), list) or not entry["answers"]:
        raise _problem(display, key, "needs 'answers' (a list of {question, answers}) and a 'reason'")
    out = []
    for i, item in enumerate(entry["answers"]):
        if not isinstance(item, Mapping) or not isinstance(item.get("question"), str) \
                or not isinstance(item.get("answers"), list):
            raise _problem(display, f"{key}.answers[{i}]", "needs 'question' and a list of 'answers'")
        qid = item["question"]
        if qid not in kb.questions:
            raise _problem(display, f"{key}.answers[{i}]", f"no question {qid!r} in the tree")
        offered = {a.id for a in kb.questions[qid].answers}
        unknown = [a for a in item["answers"] if a not in offered]
        if unknown:
            raise _problem(display, f"{key}.answers[{i}]", f"{qid!r} has no answer {unknown[0]!r}")
        out.append((qid, frozenset(item["answers"])))
    return tuple(out)


def parse_rules(doc: Any, kb: KnowledgeBase, display: str = FILE) -> Rules:
    """Validate verdict.yaml against the knowledge base; KBError with one line on a problem."""
    if not isinstance(doc, Mapping):
        raise _problem(display, "top level", "expected a mapping")
    stopped = doc.get("stopped")
    if not isinstance(stopped, Mapping) or not isinstance(stopped.get("values"), list) \
            or not isinstance(stopped.get("reason"), str):
        raise _problem(display, "stopped", "needs 'values' (watch.stopped labels) and a 'reason'")
    classes = doc.get("chance_classes")
    if not isinstance(classes, Mapping) or not isinstance(classes.get("values"), list) \
            or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 2 for c in classes["values"]) \
            or isinstance(classes.get("tolerance"), bool) or not isinstance(classes.get("tolerance"), (int, float)) \
            or not isinstance(classes.get("reason"), str):
        raise _problem(display, "chance_classes", "needs 'values' (class counts of 2 or more), a 'tolerance' and a 'reason'")
    rules = Rules(
        health=_answers(doc, "health", display, kb),
        never_healthy=_answers(doc, "never_healthy", display, kb),
        min_points=_number(doc, "min_points", display, int),
        chance_level=_number(doc, "chance_level", display),
        stopped=frozenset(str(v) for v in stopped["values"]),
        likeliest=_number(doc, "likeliest", display, int),
        chance_classes=tuple(classes["values"]),
        chance_tolerance=float(classes["tolerance"]),
    )
    overlap = {(q, a) for q, answers in rules.health for a in answers} & \
              {(q, a) for q, answers in rules.never_healthy for a in answers}
    if overlap:
        q, a = sorted(overlap)[0]
        raise _problem(display, "health", f"{q}={a} is also listed under never_healthy")
    return rules


def rules_path(kb: KnowledgeBase) -> Path:
    """verdict.yaml beside the knowledge base's other files, else the built-in one
    (a knowledge folder made before the verdict existed)."""
    own = Path(kb.source) / FILE if kb.source else None
    return own if own is not None and own.is_file() else default_kb_dir() / FILE


@lru_cache(maxsize=8)
def _read(path: str, mtime: float) -> Any:
    return read_yaml(Path(path), f"knowledge/{FILE}")


def load_rules(kb: KnowledgeBase) -> Rules:
    """The rules for this knowledge base (the file is read once per change; the
    check against the tree is cheap and runs every time)."""
    path = rules_path(kb)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise KBError([f"knowledge/{FILE}: file missing"]) from None
    return parse_rules(_read(str(path), mtime), kb)


# --- deciding ------------------------------------------------------------------------

def _answered(session: Session, entries: Iterable[tuple[str, frozenset[str]]]) -> list[AnswerRecord]:
    out = []
    for qid, answers in entries:
        rec = session.record(qid)
        if rec is not None and rec.answer in answers:
            out.append(rec)
    return out


def _evidence(session: Session, rec: AnswerRecord) -> str:
    """What a probe's rule said (its evidence line, filled), or the user's answer."""
    lang = session.lang
    rule = session.rule_of(rec)
    q = session.kb.questions[rec.question]
    if rule is None:
        return t("verdict.user_said", lang, answer=pick(q.answer(rec.answer).label, lang))
    return fill(pick(rule.evidence, lang), session.observations)


def _first_error(probes: Iterable[Any], lang: str) -> str:
    for p in probes:
        if getattr(p, "status", None) == "error":
            message_in = getattr(p, "message_in", None)
            text = message_in(lang) if callable(message_in) else getattr(p, "message", None)
            if text:
                return str(text).splitlines()[0]
    return "?"


def _curve_points(obs: Mapping[str, Any]) -> int | None:
    points = obs.get("curve.points")
    return points if isinstance(points, int) and not isinstance(points, bool) else None


def _problems(session: Session, probes: list[Any], rules: Rules) -> list[str]:
    """Everything that rules out a healthy verdict, one reason each."""
    lang, obs = session.lang, session.observations
    reasons: list[str] = []
    # Probes that failed: the user's code raised while being measured.
    failed = [p for p in probes if getattr(p, "status", None) == "error"]
    if failed:
        key = "verdict.all_probes_failed" if len(failed) == len(probes) else "verdict.probes_failed"
        reasons.append(t(key, lang, failed=len(failed), total=len(probes), message=_first_error(failed, lang)))
    # A watched script that stopped before the steps asked for.
    stopped = obs.get("watch.stopped")
    if stopped in rules.stopped:
        steps = obs.get("watch.steps", 0)
        error = obs.get("train_step.error") or ""
        if stopped == "error":
            reasons.append(t("verdict.stopped_error", lang, steps=steps, error=error or "?"))
        elif stopped == "spawned":
            reasons.append(t("verdict.stopped_spawned", lang, steps=steps))
        else:
            reasons.append(t("verdict.stopped_timeout", lang, steps=steps))
    # Symptoms that rule health out, measured or answered.
    for rec in _answered(session, rules.never_healthy):
        if rec.question == SYMPTOM and rec.by_probe:
            if rec.answer == "error" and failed:
                continue                     # already said, with the message
            if rec.answer == "error" and stopped == "error":
                continue
            reasons.append(_symptom(session, rec, rules))
        else:
            reasons.append(_evidence(session, rec))
    # A loss that went NaN/inf, even where no symptom question said so.
    step = obs.get("curve.nonfinite_step")
    nan_line = t("verdict.nan", lang, step=format_value(step))
    if step is not None and nan_line not in reasons:
        reasons.append(nan_line)
    # A curve too short to read.
    points = _curve_points(obs)
    if points is not None and step is None and points < rules.min_points:
        reasons.append(t("verdict.few_points", lang, points=points, min=rules.min_points))
    return reasons


def _symptom(session: Session, rec: AnswerRecord, rules: Rules) -> str:
    lang, obs = session.lang, session.observations
    evidence = _evidence(session, rec)
    if rec.answer == "nan":
        step = obs.get("curve.nonfinite_step")
        if step is None:        # a rule that saw NaN/inf elsewhere than in the curve
            return t("verdict.nan_seen", lang, evidence=evidence)
        return t("verdict.nan", lang, step=format_value(step))
    if rec.answer == "error":
        return t("verdict.error", lang, evidence=evidence)
    if rec.answer == "flat":
        end, expected = obs.get("curve.end_loss"), obs.get("init_loss.expected_loss")
        if isinstance(end, (int, float)) and isinstance(expected, (int, float)) and expected > 0 \
                and abs(end - expected) <= rules.chance_level * expected:
            return t("verdict.flat_chance", lang, end=format_value(float(end), ".3g"),
                     expected=format_value(float(expected), ".3g"), evidence=evidence)
        guess = _chance_guess(end, rules)
        if guess is not None:
            return t("verdict.flat_chance_guess", lang, end=format_value(float(end), ".3g"), classes=guess,
                     points=format_value(_curve_points(obs) or "?"), evidence=evidence)
        return t("verdict.flat", lang, points=format_value(_curve_points(obs) or "?"), evidence=evidence)
    if rec.answer == "erratic":
        return t("verdict.erratic", lang, evidence=evidence)
    return t("verdict.symptom", lang, evidence=evidence)


def _chance_guess(end: Any, rules: Rules) -> int | None:
    """The common class count C whose ln C a flat loss sits at (None when none)."""
    if isinstance(end, bool) or not isinstance(end, (int, float)) or not end > 0:
        return None
    for classes in rules.chance_classes:
        if abs(end - math.log(classes)) <= rules.chance_tolerance * math.log(classes):
            return classes
    return None


def _likeliest(session: Session, diagnoses: list, rules: Rules) -> str:
    kb = session.kb
    names = [f"{d.cause} ({d.confidence:.0%})" for d in diagnoses
             if kb.causes[d.cause].kind == "fault" and d.evidence][:rules.likeliest]
    return t("verdict.see", session.lang, causes=", ".join(names)) if names else ""


def decide(session: Session, probes: Iterable[Any] = (), rules: Rules | None = None) -> Verdict:
    """The verdict for a session and its probe records (ProbeRecord or
    ProbeSummary: anything with `status`, `message`)."""
    rules = rules or load_rules(session.kb)
    probes = list(probes)
    lang, kb = session.lang, session.kb
    diagnoses = session.diagnoses()
    strong = [d for d in diagnoses if view.is_finding(d) and kb.causes[d.cause].kind == "fault"]
    problems = _problems(session, probes, rules)
    if strong:
        found = [t("verdict.finding", lang, cause=d.cause, confidence=f"{d.confidence:.0%}",
                   title=pick(kb.causes[d.cause].title, lang)) for d in strong]
        return Verdict("diagnosed", found + problems)
    if not problems:
        health = _answered(session, rules.health)
        if health:
            return Verdict("healthy", [t("verdict.healthy", lang, evidence=_evidence(session, health[0]))])
        points = _curve_points(session.observations)
        if points is None and not any(q.startswith("curve.") for q in session.observations):
            problems.append(t("verdict.no_curve" if probes else "verdict.no_evidence", lang))
        else:
            problems.append(t("verdict.no_fall", lang))
    see = _likeliest(session, diagnoses, rules)
    if see:
        problems[0] += see
    return Verdict("inconclusive", problems)
