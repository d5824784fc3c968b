"""The result of a diagnosis, in the shapes CONTRACT.md section 4 asks for.

A Result joins the engine's session (answers, rankings) with the probe
records and what is known of the set-up. It renders as JSON (the public
surface) and as plain text; the Markdown report is a surface
(loss_advisor.surfaces.report) that reads it.
Torch-free: a Result can be rebuilt from saved JSON.
"""
from __future__ import annotations

import platform
import shlex
import sys
from dataclasses import dataclass, field
from typing import Any, Mapping

from loss_advisor import __version__
from loss_advisor.core.engine import Diagnosis, Session
from loss_advisor.core.i18n import DEFAULT_LANG, LANGS, pick, t
from loss_advisor.core import view
from loss_advisor.core.records import ProbeRecord, RecordShapeError, json_safe  # noqa: F401  (json_safe re-exported)

# Causes listed in the output: those that some evidence moved upward, or
# that reached this confidence anyway.
LISTED = 0.1


@dataclass
class Result:
    session: Session
    probes: list[ProbeRecord] = field(default_factory=list)
    setup: dict[str, Any] = field(default_factory=dict)
    reproduce: dict[str, Any] = field(default_factory=dict)
    target: str = ""
    mode: str = "probe"          # probe, ask, logs, watch, tui, callback (loss_advisor.integrations)

    @property
    def lang(self) -> str:
        return self.session.lang

    @property
    def kb(self):
        return self.session.kb

    # --- content -----------------------------------------------------------------
    def ranked(self) -> list[Diagnosis]:
        return [d for d in self.session.diagnoses() if d.evidence or d.confidence >= LISTED]

    def verdict(self):
        """healthy, diagnosed or inconclusive, with its reasons (loss_advisor.core.verdict)."""
        from loss_advisor.core.verdict import decide
        return decide(self.session, self.probes)

    def diagnosis_dict(self, d: Diagnosis) -> dict[str, Any]:
        cause = self.kb.causes[d.cause]
        lang = self.lang
        extra: dict[str, Any] = {}
        if d.intervention is not None:      # CONTRACT.md section 4
            extra["intervention"] = d.intervention
        if d.consequence_of is not None:
            extra["consequence_of"] = d.consequence_of
        return {
            "cause": d.cause,
            "confidence": round(d.confidence, 3),
            "evidence": [c.text for c in d.evidence],
            "remedies": [pick(r.text, lang) for r in cause.remedies],
            "title": pick(cause.title, lang),
            "section": cause.section,
            "kind": cause.kind,
            "against": [c.text for c in d.against],
            "remedy_code": [r.code for r in cause.remedies],
            **extra,
        }

    def interventions(self) -> dict[str, dict[str, Any]]:
        """Every paired run by cause (issue 13), for the surfaces that draw or
        re-run them: the outcome the engine ranked by (mechanism, params,
        steps, seeds, loss_as_is, loss_with_change, spread, verdict, the
        per-seed losses, symptoms re-measured, reason) with `change` in the
        session's language, `consequence_of` where it applies, and `curve`:
        the mean loss over the steps of both arms, a Curve with the series
        "as_is" and "with_change" (None when not measured)."""
        curves: dict[str, Any] = {}
        for record in self.probes:
            if record.name == "interventions":
                curves = record.curves()
        ranked = {d.cause: d for d in self.session.diagnoses()}
        out: dict[str, dict[str, Any]] = {}
        for cause in self.session.interventions:
            outcome = self.session.outcome(cause)
            d = ranked.get(cause)
            out[cause] = {**outcome, "change": self.session.change_text(cause, outcome),
                          "consequence_of": d.consequence_of if d else None, "curve": curves.get(cause)}
        return out

    def path(self) -> list[dict[str, Any]]:
        out = []
        lang = self.lang
        seen = set()
        records = self.session.path()
        answers = self.session.answers()
        records += [answers[q] for q in self.kb.questions if q in answers and answers[q] not in records]
        for rec in records:
            if rec.question in seen:
                continue
            seen.add(rec.question)
            q = self.kb.questions[rec.question]
            out.append({
                "question": rec.question,
                "text": pick(q.text, lang),
                "answer": rec.answer,
                "answer_text": pick(q.answer(rec.answer).label, lang),
                "source": rec.source,
                "on_path": rec in self.session.path(),
                "explanation": self.session.describe(rec),
                "measured": [{"observation": m.observation, "value": json_safe(m.value), "op": m.op,
                              "threshold": json_safe(m.threshold)} for m in rec.measured],
            })
        return out

    def checklist(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in row.items() if k not in view.CHECKLIST_VIEW_ONLY}
                for row in view.checklist(self.session, self.lang)]

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "verdict": self.verdict().to_dict(),
            "diagnoses": [self.diagnosis_dict(d) for d in self.ranked()],
            "probes": [p.to_dict(self.lang) for p in self.probes],
            "lang": self.lang,
            "mode": self.mode,
            "target": self.target,
            "path": self.path(),
            "checklist": self.checklist(),
            "setup": self.setup,
            "reproduce": self.reproduce,
            "session": self.session.to_dict(),
            "tool": {"name": "loss-advisor", "version": __version__},
        })

    # --- rendering ---------------------------------------------------------------
    def to_text(self) -> str:
        lang = self.lang
        verdict = self.verdict()
        lines: list[str] = [verdict.line(lang), ""]
        if self.probes:
            lines.append(t("text.probes", lang))
            width = max(len(p.name) for p in self.probes)
            statuses = [t(f"status.{p.status}", lang) for p in self.probes]
            status_width = max(view.display_width(s) for s in statuses)
            for p, status in zip(self.probes, statuses):
                tail = f"  {p.message_in(lang)}" if p.message else ""
                lines.append(f"  {p.name:<{width}}  {view.pad(status, status_width)} {p.seconds:6.2f} s  "
                             f"{p.steps:5d} {t('text.steps', lang)}{tail}")
            lines.append("")
        ranked = self.ranked()
        strong = view.findings_of(ranked)
        lines.append(t("text.diagnoses", lang))
        if not strong:
            # "Nothing needs fixing" only with evidence of health (the verdict).
            lines.append("  " + t("verdict.text.no_finding" if verdict.kind == "healthy" else "verdict.text.no_strong",
                                  lang))
            if ranked:
                lines.append("  " + t("verdict.text.candidates", lang))
        for d in strong or ranked[:3]:
            cause = self.kb.causes[d.cause]
            mark = ""
            if d.intervention is not None and d.intervention.get("verdict") == "confirmed":
                mark = f"  [✓ {t('text.confirmed', lang)}]"
            elif d.consequence_of:
                mark = f"  [{t('text.consequence_of', lang, cause=d.consequence_of)}]"
            lines.append(f"  {d.confidence:4.0%}  {d.cause}  {pick(cause.title, lang)}{mark}")
            for c in d.evidence[:4]:
                lines.append(f"        - {c.text}")
            if view.is_finding(d):
                for r in cause.remedies[:3]:
                    lines.append(f"        > {pick(r.text, lang)}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_dict(cls, data: Any, kb=None, lang: str | None = None) -> "Result":
        """Rebuild a Result from `to_dict()` JSON (a `--format json` output or a
        saved TUI session): the session is replayed on the knowledge base, so the
        diagnoses, path and checklist are recomputed in `lang`. A wrong shape is a
        ResultShapeError; a session the knowledge base rejects, an AnswerError."""
        from loss_advisor.core.engine import AnswerError
        from loss_advisor.core.kb import load_kb

        if not isinstance(data, Mapping):
            raise ResultShapeError(f"expected a JSON object, found {_json_type(data)}")
        if "session" not in data:
            raise ResultShapeError("it has no 'session' (expected the output of --format json or a saved session)")
        for key, kind, what in (("probes", list, "a list"), ("setup", Mapping, "an object"),
                                ("reproduce", Mapping, "an object"), ("target", str, "a string"), ("mode", str, "a string")):
            if data.get(key) is not None and not isinstance(data[key], kind):
                raise ResultShapeError(f"'{key}' must be {what}, found {_json_type(data[key])}")
        probes = []
        for i, item in enumerate(data.get("probes") or []):
            try:
                probes.append(ProbeRecord.from_dict(item, where=f"probes[{i}]"))
            except RecordShapeError as exc:
                raise ResultShapeError(str(exc)) from None
        session_data = data["session"]
        if not isinstance(session_data, Mapping):
            raise ResultShapeError(f"'session' must be an object, found {_json_type(session_data)}")
        saved_lang = session_data.get("lang")
        lang = lang or (saved_lang if saved_lang in LANGS else None) or DEFAULT_LANG
        try:
            session = Session.from_dict(kb or load_kb(), session_data, lang)
        except AnswerError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            # Observations of the wrong type for a rule's comparison, and the like.
            raise AnswerError(f"the saved observations cannot be evaluated ({exc})") from None
        return cls(session=session, probes=probes, setup=dict(data.get("setup") or {}),
                   reproduce=dict(data.get("reproduce") or {}), target=data.get("target") or "",
                   mode=data.get("mode") or "probe")


class ResultShapeError(ValueError):
    """JSON that is not a loss-advisor result (one line, for the CLI)."""


def _json_type(value: Any) -> str:
    return {list: "a list", dict: "an object", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


def reproduce_info(argv: list[str] | None, seed: int | None = None, budget: str | None = None,
                   device: str | None = None) -> dict[str, Any]:
    versions = {"python": platform.python_version(), "loss_advisor": __version__}
    for name in ("torch", "textual", "jinja2", "yaml"):
        module = sys.modules.get(name)
        if module is not None:
            versions[name] = getattr(module, "__version__", "")
    info: dict[str, Any] = {"versions": versions}
    if argv is not None:
        # quoted, so that a file name with spaces, `|` or backticks is safe to paste
        info["command"] = "loss-advisor " + " ".join(shlex.quote(str(a)) for a in argv)
    for key, value in (("seed", seed), ("budget", budget), ("device", device)):
        if value is not None:
            info[key] = value
    return info
