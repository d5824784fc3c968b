"""What the guided session knows, without Textual: the engine's session, the
attached set-up and the probe records.

The screens render this and send it answers and measurement requests; every
decision (which question comes next, what an answer or a measurement means,
how the causes rank) is the engine's and the knowledge base's. This module
only wires: it loads the target, picks the probes whose observations a
question reads, hands their records to the engine, and saves, resumes and
exports the session as the `report` command's JSON. It imports neither
textual nor torch at module level.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from loss_advisor.core.engine import AnswerError, AnswerRecord, Question, Session
from loss_advisor.core.i18n import LANGS, pick, t
from loss_advisor.core.kb import KnowledgeBase, load_kb
from loss_advisor.core.records import ProbeRecord, RecordShapeError
from loss_advisor.core.result import Result, reproduce_info

# Observations named `curve.*` come from the loss curve, which the probe
# suite measures in its short training run (or a log or a watched script).
CURVE_PRODUCER = "short_run"


class SetupError(Exception):
    """The session cannot start (bad target, log, script or saved file): one line."""


@dataclass(frozen=True)
class MeasureRequest:
    """The probes to run for a question (or for everything)."""
    question: str | None
    probes: tuple[str, ...]


class UiThreadSession:
    """The engine session seen from a worker thread.

    `probe_into` feeds each probe's observations into the session as soon as
    the probe is done; this hands that one call over to the UI thread (via
    `call`, e.g. ``App.call_from_thread``) so that the screens never read a
    session that another thread is changing.
    """

    def __init__(self, session: Session, call: Callable[..., Any]):
        self._session, self._call = session, call

    def observe(self, observations: Mapping[str, Any], source: str = "probe") -> list[str]:
        return self._call(self._session.observe, dict(observations), source)

    # What `verify_causes` reads and writes (the paired runs on demand).
    @property
    def kb(self) -> KnowledgeBase:
        return self._session.kb           # loaded once, never changed

    @property
    def observations(self) -> dict[str, Any]:
        return self._call(lambda: dict(self._session.observations))

    @property
    def interventions(self) -> dict[str, dict[str, Any]]:
        return self._call(lambda: {c: dict(o) for c, o in self._session.interventions.items()})

    def diagnoses(self) -> list[Any]:
        return self._call(self._session.diagnoses)

    def set_interventions(self, outcomes: Mapping[str, Mapping[str, Any]]) -> None:
        self._call(self._session.set_interventions, {c: dict(o) for c, o in outcomes.items()})


class Controller:
    """One guided session: the engine's state plus what was attached and measured."""

    def __init__(self, kb: KnowledgeBase, lang: str, *, session: Session | None = None,
                 target: Any = None, target_spec: str = "", script: str | None = None,
                 script_args: Iterable[str] = (), log: str | None = None,
                 probes: Iterable[str] | None = None):
        self.kb = kb
        self.session = session or Session(kb, lang)
        self.session.lang = lang
        self.target = target              # a loss_advisor.probing.target.Target, or None
        self.target_spec = target_spec
        self.script = script
        self.script_args = tuple(script_args)
        self.log = log
        self.allowed_probes = tuple(probes) if probes else None
        self.summaries: dict[str, ProbeRecord] = {}      # latest record per producer, in run order
        self.setup: dict[str, Any] = {}

    # --- building ---------------------------------------------------------------
    @classmethod
    def create(cls, lang: str, target: str | None = None, script: str | None = None,
               script_args: Iterable[str] = (), log: str | None = None, resume: str | None = None,
               probes: Iterable[str] | None = None, kb: KnowledgeBase | None = None) -> "Controller":
        """Everything that can fail before the app starts fails here, as a SetupError."""
        if lang not in LANGS:
            raise SetupError(f"unknown language {lang!r}; choose one of: {', '.join(LANGS)}")
        kb = kb or load_kb()
        saved: Mapping[str, Any] = {}
        session = None
        if resume:
            saved = read_saved(resume)
            try:
                session = Session.from_dict(kb, saved.get("session", saved), lang)
            except AnswerError as exc:
                raise SetupError(f"{resume}: {exc}") from None
        loaded = None
        if target:
            from loss_advisor.probing.target import TargetError, load_target
            try:
                loaded = load_target(target)
            except TargetError as exc:
                raise SetupError(str(exc).splitlines()[0]) from None
        if probes:
            from loss_advisor.pipeline.runner import select
            try:
                select(probes)
            except ValueError as exc:
                raise SetupError(str(exc)) from None
        if script:
            if not Path(script).is_file():
                raise SetupError(f"no such script: {script}")
            watch_api()          # fail now, not in the app, when the watch mode is missing
        ctl = cls(kb, lang, session=session, target=loaded, target_spec=target or str(saved.get("target") or ""),
                  script=script, script_args=script_args, log=log, probes=probes)
        for i, item in enumerate(saved.get("probes", []) or []):
            try:
                record = ProbeRecord.from_dict(item, where=f"{resume}: probes[{i}]")
            except RecordShapeError as exc:
                raise SetupError(str(exc)) from None
            ctl.summaries[record.name] = record
        if isinstance(saved.get("setup"), Mapping):
            ctl.setup = dict(saved["setup"])
        if log:
            ctl.add_record(read_log(log, lang), feed=True)
        return ctl

    # --- language ---------------------------------------------------------------
    @property
    def lang(self) -> str:
        return self.session.lang

    def set_lang(self, lang: str) -> None:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}")
        self.session.lang = lang

    def other_lang(self) -> str:
        return LANGS[(LANGS.index(self.lang) + 1) % len(LANGS)]

    def text(self, value: Any) -> str:
        return pick(value, self.lang)

    # --- the engine, passed through ----------------------------------------------
    def current(self) -> Question | None:
        return self.session.current()

    def question(self, qid: str) -> Question:
        return self.kb.questions[qid]

    def answer(self, qid: str, answer_id: str) -> None:
        self.session.answer(qid, answer_id)

    def back(self) -> str | None:
        return self.session.back()

    def retract(self, qid: str) -> None:
        self.session.retract(qid)

    def restart(self) -> None:
        self.session.restart()

    def record(self, qid: str) -> AnswerRecord | None:
        return self.session.record(qid)

    def probe_record(self, qid: str) -> AnswerRecord | None:
        """What the probes answered, even when the user has overridden it."""
        return self.session.auto_answers.get(qid)

    def answered(self) -> list[AnswerRecord]:
        """The answered questions on the path, then those answered off it, in KB order."""
        path = self.session.path()
        on_path = {r.question for r in path}
        answers = self.session.answers()
        return path + [answers[q] for q in self.kb.questions if q in answers and q not in on_path]

    def auto_state(self) -> dict[str, str]:
        """The probes' answers now, to see later what a measurement changed."""
        return {q: r.answer for q, r in self.session.auto_answers.items()}

    def answered_since(self, before: Mapping[str, str]) -> list[AnswerRecord]:
        """Questions the probes answered (or answered differently) since `auto_state()`."""
        return [r for q, r in self.session.auto_answers.items() if before.get(q) != r.answer]

    def on_path(self, qid: str) -> bool:
        return any(r.question == qid for r in self.session.path())

    # --- probes -----------------------------------------------------------------
    @property
    def attached(self) -> bool:
        return self.target is not None

    def probes_for(self, qid: str) -> list[str]:
        """The probes whose observations the question's rules read (suite order)."""
        from loss_advisor.probes import ALL_PROBES

        wanted = set()
        for name in self.kb.questions[qid].observations():
            producer = name.split(".", 1)[0]
            wanted.add(CURVE_PRODUCER if producer == "curve" else producer)
        names = [p.name for p in ALL_PROBES if p.name in wanted]
        if self.allowed_probes is not None:
            names = [n for n in names if n in self.allowed_probes]
        return names

    def pending_probes(self, qid: str) -> list[str]:
        """The question's probes that have not yet run on this target."""
        return [n for n in self.probes_for(qid) if n not in self.summaries]

    def can_measure(self, qid: str) -> bool:
        return self.attached and self.session.can_measure(qid) and bool(self.probes_for(qid))

    def request_for(self, qid: str | None) -> MeasureRequest | None:
        """The probes to run: for one question, or (None) every probe not run yet."""
        if not self.attached:
            return None
        if qid is None:
            from loss_advisor.probes import ALL_PROBES
            names = [p.name for p in ALL_PROBES
                     if (self.allowed_probes is None or p.name in self.allowed_probes) and p.name not in self.summaries]
        else:
            names = self.pending_probes(qid)
        return MeasureRequest(qid, tuple(names)) if names else None

    def measure(self, request: MeasureRequest, call_in_ui: Callable[..., Any],
                progress: Callable[[str, int, int, float, str], None],
                cancelled: Callable[[], bool], on_record: Callable[[Any], None]):
        """Run the probes (in the calling thread: a worker) and feed the engine through the UI thread."""
        from loss_advisor.pipeline.api import probe_into

        return probe_into(UiThreadSession(self.session, call_in_ui), self.target, probes=list(request.probes),
                          progress=progress, cancelled=cancelled, on_record=on_record)

    # --- verifying one remedy (issue 13.5) ------------------------------------------
    def verify_block(self, cause: str) -> str | None:
        """Why "verify this remedy" cannot run for the cause (in the session's
        language: the KB's reason when no change from outside tests it), or None."""
        spec = self.kb.causes[cause].intervention
        if spec is None or spec.mechanism is None:
            why = self.text(spec.text) if spec is not None else ""
            return t("tui.verify.no_mechanism", self.lang, why=why)
        if not self.attached:
            return t("tui.verify.no_target", self.lang)
        return None

    def experiment(self, cause: str) -> dict[str, Any]:
        """What the diagnosis view shows about the cause's experiment: the
        change it makes, whether it can run (and why not), and the last
        outcome (verdict, the engine's measured sentence and the picture of
        both loss curves)."""
        spec = self.kb.causes[cause].intervention
        outcome = self.session.outcome(cause)
        out: dict[str, Any] = {"blocked": self.verify_block(cause), "verdict": None, "line": None,
                               "change": self.session.change_text(cause, outcome or {}) if spec and spec.mechanism
                               else None}
        if outcome is not None:
            from loss_advisor.core.view import INTERVENTIONS, experiment_picture
            out["verdict"] = outcome.get("verdict") or "inconclusive"
            out["line"] = self.session.intervention_line(cause, outcome)
            out["picture"] = experiment_picture(self.summaries.get(INTERVENTIONS), cause)
        return out

    def verify(self, cause: str, call_in_ui: Callable[..., Any], progress: Callable[[float, str], None],
               cancelled: Callable[[], bool]):
        """Test the cause's remedy by a paired run (in the calling thread: a
        worker); the outcome joins the engine's session through the UI thread."""
        from loss_advisor.pipeline.api import verify_causes

        return verify_causes(UiThreadSession(self.session, call_in_ui), self.target, [cause],
                             progress=progress, cancelled=cancelled)

    def add_interventions(self, record: Any) -> None:
        """Keep the paired runs' record, joined with the earlier one: each
        verification adds its cause's outcome and curves to those measured before."""
        earlier = self.summaries.get(record.name)
        if earlier is not None and record.status == "ok" and earlier.status == "ok":
            before = earlier.details.get("outcomes") if isinstance(earlier.details.get("outcomes"), Mapping) else {}
            now = record.details.get("outcomes") if isinstance(record.details.get("outcomes"), Mapping) else {}
            record.details = {**earlier.details, **record.details, "outcomes": {**before, **now}}
            record.seconds += earlier.seconds
            record.steps += earlier.steps
        elif earlier is not None and record.status != "ok":
            return                          # a skipped re-run leaves what was measured
        self.add_record(record)

    def add_record(self, record: Any, feed: bool = False) -> None:
        """Keep a probe's (or the log's, or the watch's) record for plots and the report.

        `feed`: also give its observations to the engine (records from
        `probe_into` have been fed already).
        """
        if feed and record.observations:
            self.session.observe(record.observations, source=record.name)
        self.summaries.pop(record.name, None)
        self.summaries[record.name] = record

    def watch(self) -> list[Any]:
        """Run the attached script under the watch mode (in a worker)."""
        watch_record, _ = watch_api()
        return watch_record(self.script, args=self.script_args, lang=self.lang)

    def probe_title(self, name: str) -> str:
        try:
            from loss_advisor.probes import BY_NAME
        except ImportError:          # torch missing: a resumed session still shows its records
            return name
        probe = BY_NAME.get(name)
        return self.text(probe.title) if probe is not None and probe.title else name

    # --- results ----------------------------------------------------------------
    def result(self) -> Result:
        return Result(session=self.session, probes=list(self.summaries.values()), setup=dict(self.setup),
                      reproduce=reproduce_info(None), target=self.target_spec, mode="tui")

    def save(self, path: str | Path) -> Path:
        """The session as the `report` command's JSON (it includes `session`)."""
        path = Path(path).expanduser()
        path.write_text(json.dumps(self.result().to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path.resolve()

    def export(self, path: str | Path) -> Path:
        path = Path(path).expanduser()
        from loss_advisor.surfaces.report import render_markdown
        path.write_text(render_markdown(self.result()), encoding="utf-8")
        return path.resolve()


# --- files and the other producers ---------------------------------------------

def read_saved(path: str) -> Mapping[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SetupError(f"no such file: {path}") from None
    except OSError as exc:
        raise SetupError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SetupError(f"{path}: not a saved session (invalid JSON: {exc})") from None
    if not isinstance(data, Mapping):
        raise SetupError(f"{path}: not a saved session (expected a JSON object)")
    return data


def read_log(path: str, lang: str) -> Any:
    try:
        from loss_advisor.logs import LogError, log_record
    except ImportError:
        raise SetupError("reading training logs is not available in this installation") from None
    try:
        return log_record(path, lang=lang)
    except LogError as exc:
        message = exc.message(lang) if callable(getattr(exc, "message", None)) else str(exc)
        raise SetupError(message.splitlines()[0] if message else f"cannot read the log {path}") from None


def watch_api() -> tuple[Callable[..., Any], type]:
    try:
        from loss_advisor.watch import WatchError, watch_record
    except ImportError:
        raise SetupError("watching a training script is not available in this installation") from None
    return watch_record, WatchError
