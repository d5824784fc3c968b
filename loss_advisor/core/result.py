"""The result of a diagnosis, in the shapes CONTRACT.md section 4 asks for.

A Result joins the engine's session (answers, rankings) with the probe
records and what is known of the set-up. It renders as JSON (the public
surface) and as plain text; the Markdown report is a surface
(loss_advisor.surfaces.report) that reads it.
Torch-free: a Result can be rebuilt from saved JSON.
"""
from __future__ import annotations

import math
import platform
import sys
from dataclasses import dataclass, field
from typing import Any, Mapping

from loss_advisor import __version__
from loss_advisor.core.engine import Diagnosis, Session
from loss_advisor.core.i18n import DEFAULT_LANG, LANGS, message_in, pick, t

# Causes listed in the output: those that some evidence moved upward, or
# that reached this confidence anyway.
LISTED = 0.1


def json_safe(value: Any) -> Any:
    """Recursively make a value JSON-serialisable: no NaN/inf, no tuples, no tensors."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return json_safe(item())
        except (ValueError, RuntimeError):
            pass
    return str(value)


@dataclass
class ProbeSummary:
    """One probe's record as it appears in the output (torch-free)."""
    name: str
    status: str
    seconds: float = 0.0
    steps: int = 0
    findings: dict[str, Any] = field(default_factory=dict)
    message: str | None = None
    notes: list[str] = field(default_factory=list)
    message_key: str | None = None          # the message in the catalogue, for other languages
    message_params: dict[str, Any] = field(default_factory=dict)

    def message_in(self, lang: str) -> str | None:
        return message_in(self.message, self.message_key, self.message_params, lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "status": self.status, "seconds": self.seconds,
                               "steps": self.steps, "findings": json_safe(self.findings)}
        if self.message:
            out["message"] = self.message_in(lang)
        if self.message_key:
            out["message_key"] = self.message_key
            out["message_params"] = json_safe(self.message_params)
        if self.notes:
            out["notes"] = list(self.notes)
        return out


@dataclass
class Result:
    session: Session
    probes: list[ProbeSummary] = field(default_factory=list)
    setup: dict[str, Any] = field(default_factory=dict)
    reproduce: dict[str, Any] = field(default_factory=dict)
    target: str = ""
    mode: str = "probe"          # probe, ask, logs, watch, tui

    @property
    def lang(self) -> str:
        return self.session.lang

    @property
    def kb(self):
        return self.session.kb

    # --- content -----------------------------------------------------------------
    def ranked(self) -> list[Diagnosis]:
        return [d for d in self.session.diagnoses() if d.evidence or d.confidence >= LISTED]

    def diagnosis_dict(self, d: Diagnosis) -> dict[str, Any]:
        cause = self.kb.causes[d.cause]
        lang = self.lang
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
        }

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
        rows = {r.id: r for r in self.kb.checklist}
        return [{"id": rid, "category": pick(rows[rid].category, self.lang), "check": pick(rows[rid].check, self.lang),
                 "status": status, "causes": list(rows[rid].causes)}
                for rid, status in self.session.checklist()]

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
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
        lines: list[str] = []
        if self.probes:
            lines.append(t("text.probes", lang))
            width = max(len(p.name) for p in self.probes)
            for p in self.probes:
                status = t(f"status.{p.status}", lang)
                tail = f"  {p.message_in(lang)}" if p.message else ""
                lines.append(f"  {p.name:<{width}}  {status:<6} {p.seconds:6.2f} s  {p.steps:5d} {t('text.steps', lang)}{tail}")
            lines.append("")
        ranked = self.ranked()
        strong = [d for d in ranked if d.confidence >= 0.5]
        lines.append(t("text.diagnoses", lang))
        if not strong:
            lines.append("  " + t("text.no_finding", lang))
        for d in strong or ranked[:3]:
            cause = self.kb.causes[d.cause]
            lines.append(f"  {d.confidence:4.0%}  {d.cause}  {pick(cause.title, lang)}")
            for c in d.evidence[:4]:
                lines.append(f"        - {c.text}")
            if d.confidence >= 0.5:
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
            if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) \
                    or item.get("status") not in ("ok", "skipped", "error"):
                raise ResultShapeError(f"probes[{i}] needs a 'name' and a 'status' of ok, skipped or error")
            findings = item.get("findings") or {}
            notes = item.get("notes") or []
            if not isinstance(findings, Mapping) or not isinstance(notes, list):
                raise ResultShapeError(f"probes[{i}]: 'findings' must be an object and 'notes' a list")
            try:
                seconds, steps = float(item.get("seconds") or 0.0), int(item.get("steps") or 0)
            except (TypeError, ValueError):
                raise ResultShapeError(f"probes[{i}]: 'seconds' and 'steps' must be numbers") from None
            message = item.get("message")
            key, params = item.get("message_key"), item.get("message_params") or {}
            probes.append(ProbeSummary(item["name"], item["status"], seconds, steps, dict(findings),
                                       None if message is None else str(message), [str(n) for n in notes],
                                       key if isinstance(key, str) else None,
                                       dict(params) if isinstance(params, Mapping) else {}))
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
        info["command"] = "loss-advisor " + " ".join(argv)
    for key, value in (("seed", seed), ("budget", budget), ("device", device)):
        if value is not None:
            info[key] = value
    return info
