"""The diagnosis engine: a session over the knowledge base's decision tree.

A session holds the user's answers and the probes' observations. Questions
whose rules an observation satisfies are answered automatically (and
remembered as answered by a probe); a user's answer overrides that. The
next question is the first unanswered one on the path from the root. Every
answer adds its effects, in log-odds, to the causes it names; a cause's
confidence is the logistic of its prior plus those effects. Deterministic,
and free of torch and textual: the CLI, the TUI and the reports all use it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from loss_advisor.core.i18n import pick, t
from loss_advisor.core.kb import PLACEHOLDER, KnowledgeBase, Question, Rule


class AnswerError(ValueError):
    """An answer that the question does not offer, or an unknown question."""


# --- conditions ----------------------------------------------------------------

def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _compare(op: str, actual: Any, expected: Any) -> bool | None:
    if op == "==":
        return actual == expected
    if op == "!=":
        return actual != expected
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "matches":
        return bool(re.search(expected, actual)) if isinstance(actual, str) else None
    a, b = _number(actual), _number(expected)
    if a is None or b is None or math.isnan(a):
        return None
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


@dataclass(frozen=True)
class Measured:
    """One comparison that held: what was measured, against which threshold."""
    observation: str
    value: Any
    op: str
    threshold: Any


def evaluate(cond: Mapping[str, Any], obs: Mapping[str, Any]) -> tuple[bool | None, list[Measured]]:
    """Three-valued: True, False, or None when an observation is missing.

    Returns the comparisons that made it true, for the evidence line.
    """
    if "obs" in cond:
        name, op = cond["obs"], cond["op"]
        present = obs.get(name) is not None
        if op == "present":
            return present, []
        if op == "absent":
            return (not present), []
        if not present:
            return None, []
        result = _compare(op, obs[name], cond.get("value"))
        return result, ([Measured(name, obs[name], op, cond.get("value"))] if result else [])
    if "not" in cond:
        inner, _ = evaluate(cond["not"], obs)
        return (None if inner is None else not inner), []
    if "all" in cond:
        measured: list[Measured] = []
        unknown = False
        for sub in cond["all"]:
            res, m = evaluate(sub, obs)
            if res is False:
                return False, []
            unknown |= res is None
            measured += m
        return (None if unknown else True), measured
    unknown = False
    for sub in cond["any"]:
        res, m = evaluate(sub, obs)
        if res:
            return True, m
        unknown |= res is None
    return (None if unknown else False), []


def format_value(value: Any, spec: str = "") -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if "|" in spec:
        # {x:.1%|fell #|rose #}: the wording follows the sign, the number
        # (at #) is the size, so that a fall is never "fell -0.4%"
        fmt, up, down = (spec.split("|") + ["", ""])[:3]
        if isinstance(value, (int, float)):
            return (down if value < 0 else up).replace("#", format_value(abs(value), fmt))
        spec = fmt
    if spec:
        try:
            return format(value, spec)
        except (ValueError, TypeError):
            return str(value)
    if isinstance(value, float):
        return format(value, ".3g")
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value[:8]) + (", …" if len(value) > 8 else "") + "]"
    return str(value)


def fill(template: str, obs: Mapping[str, Any]) -> str:
    """Fill {observation.name:spec} placeholders; nothing else is evaluated."""
    def sub(m: re.Match) -> str:
        value = obs.get(m.group(1))
        if value is None:   # not measured: nothing for a message, a dash for a number
            return "—" if m.group(2) else ""
        return format_value(value, m.group(2) or "")
    return PLACEHOLDER.sub(sub, template)


def _distinct(contributions: list["Contribution"]) -> list["Contribution"]:
    """The first (strongest) of contributions that read the same: two
    questions answered from one measurement would otherwise show one
    evidence line twice. Every one of them still counts in the score."""
    seen: set[str] = set()
    out = []
    for c in contributions:
        if c.text not in seen:
            seen.add(c.text)
            out.append(c)
    return out


# --- the session ---------------------------------------------------------------

@dataclass(frozen=True)
class AnswerRecord:
    question: str
    answer: str
    source: str                      # "user" or "probe:<name>[,<name>]"
    rule_index: int | None = None    # which auto rule, when a probe answered
    measured: tuple[Measured, ...] = ()
    rule_id: str | None = None       # that rule's stable ID (knowledge/tree.yaml)

    @property
    def by_probe(self) -> bool:
        return self.source != "user"


@dataclass(frozen=True)
class Contribution:
    question: str
    answer: str
    weight: float
    source: str
    text: str


@dataclass
class Diagnosis:
    cause: str
    confidence: float
    score: float
    evidence: list[Contribution] = field(default_factory=list)
    against: list[Contribution] = field(default_factory=list)
    # The paired run that tested the cause (CONTRACT.md section 4's
    # "intervention", in the session's language), and the cause it follows from.
    intervention: dict[str, Any] | None = None
    consequence_of: str | None = None


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


# A consequence is ranked this many log-odds below the cause it follows
# from: one unit keeps it near its root in the list (it is still a real
# symptom) while the root is always read first.
CONSEQUENCE_GAP = 1.0
# Intervention evidence always shows, even when the score did not move.
_SHOWN = 1e-3


class Session:
    def __init__(self, kb: KnowledgeBase, lang: str = "en"):
        self.kb = kb
        self.lang = lang
        self.observations: dict[str, Any] = {}
        self.observation_sources: dict[str, str] = {}
        self.user_answers: dict[str, AnswerRecord] = {}
        self.auto_answers: dict[str, AnswerRecord] = {}
        self.history: list[str] = []     # questions answered by the user, in order
        # Outcomes of the paired runs that tested causes (probes/interventions.py),
        # by cause: verdict, losses, spread, steps, seeds, symptoms re-measured.
        self.interventions: dict[str, dict[str, Any]] = {}

    def set_interventions(self, outcomes: Mapping[str, Mapping[str, Any]]) -> None:
        """Record the paired runs' outcomes; the ranking reads them (diagnoses())."""
        self.interventions = {c: dict(o) for c, o in outcomes.items() if c in self.kb.causes}

    # answers ---------------------------------------------------------------
    def answer(self, question_id: str, answer_id: str) -> None:
        """Record the user's answer (overriding a probe's answer if any)."""
        q = self._question(question_id)
        if answer_id not in [a.id for a in q.answers]:
            choices = ", ".join(a.id for a in q.answers)
            raise AnswerError(f"{answer_id!r} is not an answer to {question_id!r} (choose one of: {choices})")
        self.user_answers[question_id] = AnswerRecord(question_id, answer_id, "user")
        if question_id in self.history:
            self.history.remove(question_id)
        self.history.append(question_id)

    def retract(self, question_id: str) -> None:
        """Forget the user's answer to one question (a probe's answer, if any, returns)."""
        self._question(question_id)
        self.user_answers.pop(question_id, None)
        if question_id in self.history:
            self.history.remove(question_id)

    def back(self) -> str | None:
        """Undo the user's most recent answer; return its question ID."""
        if not self.history:
            return None
        qid = self.history[-1]
        self.retract(qid)
        return qid

    def restart(self) -> None:
        self.user_answers.clear()
        self.history.clear()

    def record(self, question_id: str) -> AnswerRecord | None:
        return self.user_answers.get(question_id) or self.auto_answers.get(question_id)

    def answers(self) -> dict[str, AnswerRecord]:
        merged = dict(self.auto_answers)
        merged.update(self.user_answers)
        return merged

    # observations ----------------------------------------------------------
    def observe(self, observations: Mapping[str, Any], source: str = "probe") -> list[str]:
        """Add observations; re-derive the probes' answers. Returns the questions answered anew."""
        for name, value in observations.items():
            self.observations[name] = value
            self.observation_sources[name] = source
        before = {q: r.answer for q, r in self.auto_answers.items()}
        self.auto_answers = {}
        for q in self.kb.questions.values():
            rec = self._auto(q)
            if rec is not None:
                self.auto_answers[q.id] = rec
        return [q for q, r in self.auto_answers.items() if before.get(q) != r.answer]

    def _auto(self, q: Question) -> AnswerRecord | None:
        for i, rule in enumerate(q.auto):
            result, measured = evaluate(rule.when, self.observations)
            if result:
                sources = sorted({self.observation_sources.get(m.observation, m.observation.split(".")[0])
                                  for m in measured})
                return AnswerRecord(q.id, rule.answer, "probe:" + ",".join(sources or ["probe"]), i, tuple(measured),
                                    rule.id or None)
        return None

    def can_measure(self, question_id: str) -> bool:
        return bool(self._question(question_id).auto)

    # navigation ------------------------------------------------------------
    def _walk(self) -> tuple[list[AnswerRecord], str | None]:
        """Follow the answers from the root: the records on the way, and the
        first question without an answer (None at the end of the path)."""
        records: list[AnswerRecord] = []
        qid: str | None = self.kb.root
        seen: set[str] = set()
        while qid and qid not in seen:
            seen.add(qid)
            rec = self.record(qid)
            if rec is None:
                return records, qid
            records.append(rec)
            qid = self.kb.questions[qid].answer(rec.answer).next
        return records, None

    def path(self) -> list[AnswerRecord]:
        """The answered questions on the way from the root, in order."""
        return self._walk()[0]

    def current(self) -> Question | None:
        """The next question to ask: the first unanswered one on the path, or None at the end."""
        qid = self._walk()[1]
        return self.kb.questions[qid] if qid else None

    # explanations ----------------------------------------------------------
    def rule_of(self, rec: AnswerRecord) -> Rule | None:
        if rec.rule_index is None:
            return None
        return self.kb.questions[rec.question].auto[rec.rule_index]

    def describe(self, rec: AnswerRecord) -> str:
        """One line: what answered this question and why."""
        q = self.kb.questions[rec.question]
        rule = self.rule_of(rec)
        if rule is None:
            return t("engine.user_answer", self.lang, question=pick(q.text, self.lang),
                     answer=pick(q.answer(rec.answer).label, self.lang))
        line = fill(pick(rule.evidence, self.lang), self.observations)
        if rec.measured:
            parts = [t("engine.measured_item" if m.op in ("<", "<=", ">", ">=") else "engine.measured_value",
                       self.lang, name=m.observation, value=format_value(m.value), op=m.op,
                       threshold=format_value(m.threshold)) for m in rec.measured]
            line += " " + t("engine.measured", self.lang, items="; ".join(parts))
        return line

    # ranking ---------------------------------------------------------------
    def diagnoses(self) -> list[Diagnosis]:
        """Every cause with its confidence and the evidence that moved it, best first."""
        scores = {cid: c.prior for cid, c in self.kb.causes.items()}
        contributions: dict[str, list[Contribution]] = {cid: [] for cid in self.kb.causes}
        answers = self.answers()
        for qid in self.kb.questions:          # KB order keeps the result deterministic
            rec = answers.get(qid)
            if rec is None:
                continue
            ans = self.kb.questions[qid].answer(rec.answer)
            if not ans.effects:
                continue
            text = self.describe(rec)
            for cid, weight in ans.effects.items():
                scores[cid] += weight
                contributions[cid].append(Contribution(qid, rec.answer, weight, rec.source, text))
        tested, consequences = self._apply_interventions(scores, contributions)
        conf = {cid: _sigmoid(s) for cid, s in scores.items()}
        worst_fault = max((conf[c] for c, cause in self.kb.causes.items() if cause.kind == "fault"), default=0.0)
        out = []
        for cid, cause in self.kb.causes.items():
            c = conf[cid]
            if cause.kind == "reassurance":
                # "Nothing is wrong" can only be as sure as no fault is likely.
                c *= 1.0 - worst_fault
            contribs = contributions[cid]
            first = [x for x in contribs if x.question == "intervention"]     # the experiment reads first
            rest = [x for x in contribs if x.question != "intervention"]
            out.append(Diagnosis(
                cause=cid, confidence=round(c, 4), score=round(scores[cid], 4),
                evidence=_distinct([x for x in first if x.weight > 0]
                                   + sorted([x for x in rest if x.weight > 0], key=lambda x: -x.weight)),
                against=_distinct([x for x in first if x.weight < 0]
                                  + sorted([x for x in rest if x.weight < 0], key=lambda x: x.weight)),
                intervention=tested.get(cid), consequence_of=consequences.get(cid),
            ))
        order = {cid: i for i, cid in enumerate(self.kb.causes)}
        out.sort(key=lambda d: (-d.confidence, order[d.cause]))
        return out

    # interventions ---------------------------------------------------------
    def _threshold(self, name: str, default: float) -> float:
        return float(self.kb.thresholds.get(name, default))

    def _apply_interventions(self, scores: dict[str, float], contributions: dict[str, list[Contribution]]
                             ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """Move the tested causes by their outcome: a confirmed cause rises to
        interventions.confirmed_confidence at least, a refuted one falls to
        interventions.refuted_confidence at most; a cause whose symptom the
        change of a confirmed cause removes is that cause's consequence and
        ranks below it. Returns the intervention objects and the consequences."""
        tested: dict[str, dict[str, Any]] = {}
        consequences: dict[str, str] = {}
        if not self.interventions:
            return tested, consequences
        up = _logit(self._threshold("interventions.confirmed_confidence", 0.9))
        down = _logit(self._threshold("interventions.refuted_confidence", 0.3))
        # One change can test several causes (a re-initialisation tests the
        # initialisation and the dead units); its success is evidence for the
        # cause the probes ranked first, and the others must earn their rank
        # by their own evidence (or turn out to be its consequences).
        def family(o: Mapping[str, Any], cid: str) -> str:
            return o.get("family") or o.get("mechanism") or cid

        # A confirmation raises only a cause the probes or the user's answers
        # already lean towards (above its prior): in a short run a higher rate,
        # a larger batch or standardised inputs speed up most healthy trainings
        # too, so a change forced on a cause with no sign (probe --verify)
        # shows an improvement, not the cause of a stall
        # (interventions.confirmed_confidence).
        def signed(cid: str) -> bool:
            return scores.get(cid, -math.inf) > self.kb.causes[cid].prior

        outcomes = {cid: self.outcome(cid) for cid in self.interventions}
        first_of: dict[str, str] = {}
        for cid in sorted(outcomes, key=lambda c: -scores.get(c, -math.inf)):
            if outcomes[cid].get("verdict") == "confirmed" and signed(cid):
                first_of.setdefault(family(outcomes[cid], cid), cid)
        roots: list[str] = []
        for cid, o in outcomes.items():
            if cid not in scores:
                continue
            tested[cid] = self.intervention_object(cid, o)
            verdict = o.get("verdict")
            line = self.intervention_line(cid, o)
            if verdict == "confirmed" and not signed(cid):
                line += t("engine.intervention.no_sign", self.lang)
                contributions[cid].append(Contribution("intervention", verdict, _SHOWN, "intervention", line))
            elif verdict == "confirmed" and first_of.get(family(o, cid)) != cid:
                contributions[cid].append(Contribution("intervention", verdict, _SHOWN, "intervention", line))
            elif verdict == "confirmed":
                roots.append(cid)
                new = max(scores[cid], up)
                contributions[cid].append(Contribution("intervention", verdict, max(new - scores[cid], _SHOWN),
                                                       "intervention", line))
                scores[cid] = new
            elif verdict == "refuted":
                new = min(scores[cid], down)
                contributions[cid].append(Contribution("intervention", verdict, min(new - scores[cid], -_SHOWN),
                                                       "intervention", line))
                scores[cid] = new
        # A cause the paired runs did not test, whose defining symptom the user's
        # own training (an as-is arm) ended without, is ruled out all the same.
        for cid in scores:
            if cid in tested or scores[cid] <= down:
                continue
            ruled_out = self.symptom_ruled_out(cid)
            if ruled_out is not None:
                other, values = ruled_out
                line = t("engine.intervention.symptom_gone", self.lang, symptom=t(f"engine.symptom.{cid}", self.lang),
                         value=format_value(values.get("as_is")), steps=self.interventions[other].get("steps", 0))
                contributions[cid].append(Contribution("intervention", "refuted", min(down - scores[cid], -_SHOWN),
                                                       "intervention", line))
                scores[cid] = down
        roots.sort(key=lambda c: -scores[c])
        for root in roots:
            for other, values in (self.interventions[root].get("symptoms") or {}).items():
                if other == root or other not in scores or other in consequences or other in roots:
                    continue
                if values.get("present_as_is") is True and values.get("present_with_change") is False:
                    consequences[other] = root
                    new = min(scores[other], scores[root] - CONSEQUENCE_GAP)
                    line = t("engine.intervention.consequence", self.lang, root=root,
                             change=self.change_text(root, self.interventions[root]),
                             symptom=t(f"engine.symptom.{other}", self.lang),
                             as_is=format_value(values.get("as_is")), with_change=format_value(values.get("with_change")))
                    # the symptom is real: it stays in the evidence, and the line says where it comes from
                    contributions[other].insert(0, Contribution("intervention", "consequence", _SHOWN,
                                                                "intervention", line))
                    scores[other] = new
        return tested, consequences

    def outcome(self, cid: str) -> Mapping[str, Any] | None:
        """The cause's paired-run outcome as the ranking reads it.

        A cause with a defining symptom (dead units) is refuted where the as-is
        runs, the user's own training, ended without it: whatever the change
        did to the loss, it helped by another route (He initialisation trains
        a healthy ReLU network faster than PyTorch's default; blind set 5's
        deep MLP had 35% of its units dead at initialisation and none after
        100 steps)."""
        o = self.interventions.get(cid)
        if o is None:
            return None
        ruled_out = self.symptom_ruled_out(cid)
        if o.get("verdict") in ("confirmed", "inconclusive") and ruled_out is not None:
            return {**o, "verdict": "refuted", "own_symptom": ruled_out[1]}
        return o

    def symptom_ruled_out(self, cid: str) -> tuple[str, Mapping[str, Any]] | None:
        """(the tested cause, the measurement) when the as-is arm of a paired
        run - the user's own training - ended without this cause's defining
        symptom and no arm ended with it; None otherwise."""
        seen = [(other, (o.get("symptoms") or {}).get(cid)) for other, o in self.interventions.items()]
        seen = [(other, v) for other, v in seen if v and v.get("defining") and v.get("present_as_is") is not None]
        if seen and all(v["present_as_is"] is False for _, v in seen):
            return seen[0]
        return None

    def change_text(self, cid: str, outcome: Mapping[str, Any]) -> str:
        """What the cause's intervention changes (knowledge/causes), its numbers filled in."""
        spec = self.kb.causes[cid].intervention
        if spec is None:
            return outcome.get("mechanism") or ""
        text = pick(spec.text, self.lang)
        params = outcome.get("params") or {}
        return re.sub(r"\{([a-z_]+)\}", lambda m: format_value(params[m.group(1)]) if m.group(1) in params
                      else m.group(0), text)

    def intervention_line(self, cid: str, o: Mapping[str, Any]) -> str:
        """One evidence line: what the paired run measured."""
        verdict = o.get("verdict") or "inconclusive"
        if o.get("reason") and o.get("loss_as_is") is None and o.get("loss_with_change") is None \
                and verdict == "inconclusive":
            return t("engine.intervention.not_run", self.lang, reason=o["reason"])
        if o.get("own_symptom"):
            return t("engine.intervention.symptom_absent", self.lang, change=self.change_text(cid, o),
                     steps=o.get("steps", 0), symptom=t(f"engine.symptom.{cid}", self.lang),
                     value=format_value(o["own_symptom"].get("as_is")),
                     as_is=format_value(o.get("loss_as_is")), with_change=format_value(o.get("loss_with_change")))
        diverged = t("engine.intervention.diverged", self.lang)

        def loss(v: Any) -> str:
            return diverged if v is None else format_value(v)
        spread = o.get("spread")
        return t(f"engine.intervention.{verdict}", self.lang, change=self.change_text(cid, o),
                 steps=o.get("steps", 0), as_is=loss(o.get("loss_as_is")), with_change=loss(o.get("loss_with_change")),
                 spread="—" if spread is None else format_value(spread), seeds=len(o.get("seeds") or []))

    def intervention_object(self, cid: str, o: Mapping[str, Any]) -> dict[str, Any]:
        """CONTRACT.md section 4's intervention object (plus the mechanism, and
        the reason when the run could not be made)."""
        out = {"change": self.change_text(cid, o), "steps": int(o.get("steps") or 0),
               "seeds": list(o.get("seeds") or []), "loss_as_is": o.get("loss_as_is"),
               "loss_with_change": o.get("loss_with_change"), "spread": o.get("spread"),
               "verdict": o.get("verdict") or "inconclusive", "mechanism": o.get("mechanism")}
        if o.get("reason"):
            out["reason"] = o["reason"]
        elif o.get("own_symptom"):
            out["reason"] = self.intervention_line(cid, o)
        return out

    def assessed_causes(self) -> set[str]:
        """Causes that at least one answered question spoke to, for or against."""
        out: set[str] = set()
        for qid, rec in self.answers().items():
            out |= set(self.kb.questions[qid].answer(rec.answer).effects)
        return out

    def checklist(self, threshold: float = 0.5) -> list[tuple[str, str]]:
        """Each checklist row with 'failed', 'checked' or 'unknown'."""
        conf = {d.cause: d.confidence for d in self.diagnoses()}
        assessed = self.assessed_causes()
        rows = []
        for row in self.kb.checklist:
            if any(conf[c] >= threshold and self.kb.causes[c].kind == "fault" for c in row.causes):
                status = "failed"
            elif any(c in assessed for c in row.causes):
                status = "checked"
            else:
                status = "unknown"
            rows.append((row.id, status))
        return rows

    # persistence -----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "observations": dict(self.observations),
            "observation_sources": dict(self.observation_sources),
            "answers": [{"question": q, "answer": self.user_answers[q].answer} for q in self.history],
            "interventions": {c: dict(o) for c, o in self.interventions.items()},
        }

    @classmethod
    def from_dict(cls, kb: KnowledgeBase, data: Mapping[str, Any], lang: str | None = None) -> "Session":
        """Rebuild a saved session; a question or answer the KB no longer has is an AnswerError."""
        if not isinstance(data, Mapping):
            raise AnswerError("a saved session must be a JSON object")
        session = cls(kb, lang or data.get("lang", "en"))
        obs = data.get("observations", {}) or {}
        sources = data.get("observation_sources", {}) or {}
        if not isinstance(obs, Mapping) or not isinstance(sources, Mapping):
            raise AnswerError("'observations' must be an object")
        by_source: dict[str, dict[str, Any]] = {}
        for name, value in obs.items():
            by_source.setdefault(sources.get(name, name.split(".")[0]), {})[name] = value
        for source, group in by_source.items():
            session.observe(group, source)
        saved = data.get("interventions") or {}
        if not isinstance(saved, Mapping) or not all(isinstance(o, Mapping) for o in saved.values()):
            raise AnswerError("'interventions' must map causes to objects")
        session.set_interventions(saved)
        for item in data.get("answers", []) or []:
            if not isinstance(item, Mapping) or "question" not in item or "answer" not in item:
                raise AnswerError("each saved answer needs 'question' and 'answer'")
            session.answer(item["question"], item["answer"])
        return session

    def _question(self, qid: str) -> Question:
        try:
            return self.kb.questions[qid]
        except KeyError:
            raise AnswerError(f"no question {qid!r} in the knowledge base") from None
