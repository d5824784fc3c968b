"""The guided session as a Textual app.

The app owns the controller (the engine's session, the attached set-up, the
probe records), starts the workers that measure, and tells the screens to
re-render after every change. It decides nothing: the engine ranks, the
knowledge base words, the probes measure. Built by `create_app`, the one
factory the CLI (`launch`) and the tests share.
"""
from __future__ import annotations

import threading
import time
from typing import Iterable

from rich.text import Text
from textual import work
from textual.app import App
from textual.screen import ModalScreen

from loss_advisor.core.i18n import default_lang, t
from loss_advisor.core.view import INTERVENTIONS
from loss_advisor.core.kb import KnowledgeBase
from loss_advisor.surfaces.tui.controller import Controller
from loss_advisor.surfaces.tui.keys import key, localize
from loss_advisor.surfaces.tui.messages import (CauseChosen, MeasureDone, ProbeFinished, ProbeProgress, VerifyDone,
                                                VerifyProgress, VerifyRequested, WatchDone)
from loss_advisor.surfaces.tui.screens.base import MainView
from loss_advisor.surfaces.tui.screens.checklist import ChecklistScreen
from loss_advisor.surfaces.tui.screens.diagnosis import DiagnosisScreen
from loss_advisor.surfaces.tui.screens.dialogs import ConfirmDialog, PathDialog
from loss_advisor.surfaces.tui.screens.probes import ProbesScreen
from loss_advisor.surfaces.tui.screens.question import QuestionScreen

VIEWS = {"diagnosis": DiagnosisScreen, "checklist": ChecklistScreen, "probes": ProbesScreen}
SESSION_FILE = "loss-advisor-session.json"
REPORT_FILE = "loss-advisor-report.md"


def create_app(lang: str | None = None, target: str | None = None, script: str | None = None,
               log: str | None = None, resume: str | None = None, *, script_args: Iterable[str] = (),
               probes: Iterable[str] | None = None, kb: KnowledgeBase | None = None,
               measure_first: bool = False) -> "LossAdvisorApp":
    """Build the app; a bad target, log, script or saved file raises SetupError (one line).

    `measure_first`: start measuring the first question at once (the demo,
    so that a newcomer sees the probes at work).
    """
    controller = Controller.create(lang or default_lang(), target=target, script=script, script_args=script_args,
                                   log=log, resume=resume, probes=probes, kb=kb)
    return LossAdvisorApp(controller, measure_first=measure_first)


class _Stop(Exception):
    """Raised in the watch's worker thread when the user quits (an Exception,
    so that wherever it lands the worker ends as an error, never the app)."""


class LossAdvisorApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "loss-advisor"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        key("d", "view('diagnosis')", "diagnosis"),
        key("c", "view('checklist')", "checklist"),
        key("p", "view('probes')", "probes"),
        key("x", "cancel", "cancel"),
        key("s", "save", "save"),
        key("e", "export", "export"),
        key("l", "switch_lang", "lang"),
        key("q", "quit", "quit"),
        # Ctrl-C ends the session too (status 130), wherever the focus is:
        # a user whose code hangs reaches for it first.
        key("ctrl+c", "interrupt", "interrupt", show=False, priority=True),
    ]

    def __init__(self, controller: Controller, measure_first: bool = False):
        super().__init__()
        self.controller = controller
        self.measure_first = measure_first
        self.status: list[Text] = []          # what the last measurement or file operation said
        self.running: str | None = None       # "probes" or "watch" while a worker runs
        self.selected_cause: str | None = None
        self.selected_probe: str | None = None
        self._cancel = False
        self._started = 0.0
        self._progress_label = ""
        self._progress_fraction: float | None = None
        self._before: dict[str, str] = {}
        self._run_records: list = []
        self.catch_sigint = False             # launch(): a SIGINT ends the session like Ctrl-C
        self._watch_thread: int | None = None    # the watch worker's thread while it runs
        self._watch_lock = threading.Lock()

    # --- screens ------------------------------------------------------------------
    def get_default_screen(self) -> QuestionScreen:
        return QuestionScreen()

    def on_mount(self) -> None:
        if self.catch_sigint:
            self._catch_sigint()
        localize(self, self.controller.lang)
        self.refresh_bindings()
        if self.controller.script:
            self.start_watch()
        elif self.measure_first:
            current = self.controller.current()
            if current is not None and self.controller.can_measure(current.id):
                self.call_after_refresh(self.start_measure, current.id)

    def views(self) -> list[MainView]:
        return [s for s in self.screen_stack if isinstance(s, MainView)]

    def state_changed(self) -> None:
        for view in self.views():
            view.refresh_state()
        self.refresh_bindings()

    def action_view(self, name: str) -> None:
        if isinstance(self.screen, ModalScreen):
            return
        if name == "questions":
            while len(self.screen_stack) > 1 and not isinstance(self.screen, QuestionScreen):
                self.pop_screen()
            return
        screen = VIEWS[name](self.selected_cause) if name == "diagnosis" else (
            ProbesScreen(self.selected_probe) if name == "probes" else VIEWS[name]())
        if isinstance(self.screen, QuestionScreen):
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def on_cause_chosen(self, message: CauseChosen) -> None:
        self.selected_cause = message.cause
        self.action_view("diagnosis")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if isinstance(self.screen, ModalScreen):
            return action == "quit"
        if action == "view":
            return getattr(self.screen, "VIEW", None) != parameters[0]
        if action == "cancel":
            return self.running in ("probes", "verify")
        return True

    # --- the engine, through the controller ------------------------------------------
    # The status line speaks of the last measurement or file written; the
    # user's next answer moves on from it (the probe view keeps the records).
    def answer(self, qid: str, answer_id: str) -> None:
        self.controller.answer(qid, answer_id)
        self.status = []
        self.state_changed()

    def back(self) -> None:
        self.controller.back()
        self.status = []
        self.state_changed()

    def retract(self, qid: str) -> None:
        self.controller.retract(qid)
        self.status = []
        self.state_changed()

    def confirm_restart(self) -> None:
        lang = self.controller.lang

        def done(yes: bool | None) -> None:
            if yes:
                self.controller.restart()
                self.status = []
                for view in self.views():
                    if isinstance(view, QuestionScreen):
                        view.reviewing = None
                self.state_changed()

        self.push_screen(ConfirmDialog(t("tui.restart.title", lang), t("tui.restart.yes", lang), lang), done)

    def action_switch_lang(self) -> None:
        self.controller.set_lang(self.controller.other_lang())
        localize(self, self.controller.lang)
        for view in self.views():
            view.relocalize()
        self.refresh_bindings()
        self.notify(t("tui.lang.switched", self.controller.lang))

    # --- measuring ----------------------------------------------------------------
    def start_measure(self, qid: str | None) -> None:
        lang = self.controller.lang
        if self.running:
            self.notify(t("tui.status.busy", lang), severity="warning")
            return
        request = self.controller.request_for(qid)
        if request is None:
            self.notify(t("tui.status.nothing_to_measure", lang))
            return
        self._before = self.controller.auto_state()
        self._run_records = []
        self._cancel = False
        self._begin("probes", t("tui.progress.probe", lang, title=self.controller.probe_title(request.probes[0]),
                                index=1, total=len(request.probes)), 0.0)
        self._measure(request)

    @work(thread=True, exclusive=True, group="measure", exit_on_error=False)
    def _measure(self, request) -> None:
        try:
            outcome = self.controller.measure(
                request, self.call_from_thread,
                progress=lambda *args: self.post_message(ProbeProgress(*args)),
                cancelled=lambda: self._cancel,
                on_record=lambda record: self.post_message(ProbeFinished(record)))
        except Exception as exc:      # the set-up cannot be probed at all: say so, go on
            from loss_advisor.probing.target import describe_exception
            self.post_message(MeasureDone(request.question, request.probes,
                                          error=str(exc).splitlines()[0] if str(exc) else describe_exception(exc)))
            return
        self.post_message(MeasureDone(request.question, request.probes, cancelled=outcome.cancelled,
                                      setup=outcome.setup))

    def on_probe_progress(self, message: ProbeProgress) -> None:
        if self.running != "probes":
            return
        label = t("tui.progress.probe", self.controller.lang, title=self.controller.probe_title(message.name),
                  index=message.index + 1, total=message.total)
        overall = (message.index + message.fraction) / max(message.total, 1)
        self._set_progress(label, overall)

    def on_probe_finished(self, message: ProbeFinished) -> None:
        record = message.record
        self.controller.add_record(record)
        self._run_records.append(record)
        self.state_changed()

    def verdict_line(self) -> Text:
        """What the measurements amount to (loss_advisor.core.verdict), for the status."""
        verdict = self.controller.result().verdict()
        style = {"healthy": "green", "diagnosed": "bold yellow"}.get(verdict.kind, "yellow")
        return Text(verdict.line(self.controller.lang), style=style)

    def on_measure_done(self, message: MeasureDone) -> None:
        lang = self.controller.lang
        self._end()
        if message.setup:
            self.controller.setup = dict(message.setup)
        lines: list[Text] = []
        if message.error:
            lines.append(Text(t("tui.status.setup_failed", lang, message=message.error), style="bold red"))
        else:
            counts = {s: sum(r.status == s for r in self._run_records) for s in ("ok", "skipped", "error")}
            new = self.controller.answered_since(self._before)
            lines.append(Text(t("tui.status.measured", lang, answered=len(new), **counts), style="bold"))
        for record in self._run_records:
            if record.status == "error":
                lines.append(Text("✗ " + t("tui.status.probe_error", lang, name=record.name,
                                           message=record.message or ""), style="red"))
        if message.cancelled:
            lines.append(Text(t("tui.status.cancelled", lang), style="yellow"))
        if not message.error:
            lines.append(self.verdict_line())
        plotted = [r.name for r in self._run_records if r.status == "ok" and r.details]
        if plotted:
            self.selected_probe = plotted[-1]
        self.status = lines
        self.state_changed()
        self.notify(lines[0].plain, severity="error" if message.error else "information")

    def action_cancel(self) -> None:
        if self.running in ("probes", "verify"):
            self._cancel = True

    # --- verifying one remedy (issue 13.5) ----------------------------------------------
    def on_verify_requested(self, message: VerifyRequested) -> None:
        self.start_verify(message.cause)

    def start_verify(self, cause: str) -> None:
        """Test the cause's remedy in a worker; asked again while it runs, cancel it."""
        lang = self.controller.lang
        if self.running == "verify":
            self.action_cancel()
            return
        if self.running:
            self.notify(t("tui.status.busy", lang), severity="warning")
            return
        why = self.controller.verify_block(cause)
        if why:
            self.notify(why, severity="warning")
            return
        self._cancel = False
        title = self.controller.text(self.controller.kb.causes[cause].title)
        self._begin("verify", t("tui.progress.verify", lang, title=title), 0.0)
        self._verify(cause)

    @work(thread=True, exclusive=True, group="measure", exit_on_error=False)
    def _verify(self, cause: str) -> None:
        try:
            outcome = self.controller.verify(
                cause, self.call_from_thread,
                progress=lambda fraction, message: self.post_message(VerifyProgress(cause, fraction, message)),
                cancelled=lambda: self._cancel)
        except Exception as exc:      # the set-up cannot be run at all: say so, go on
            from loss_advisor.probing.target import describe_exception
            self.post_message(VerifyDone(cause, error=str(exc).splitlines()[0] if str(exc)
                                         else describe_exception(exc)))
            return
        self.post_message(VerifyDone(cause, records=list(outcome.records), cancelled=outcome.cancelled))

    def on_verify_progress(self, message: VerifyProgress) -> None:
        if self.running == "verify":
            self._set_progress(self._progress_label, message.fraction)

    def on_verify_done(self, message: VerifyDone) -> None:
        lang, ctl = self.controller.lang, self.controller
        self._end()
        title = ctl.text(ctl.kb.causes[message.cause].title)
        records = [r for r in message.records if r.name == INTERVENTIONS]
        for record in records:
            ctl.add_interventions(record)
        lines: list[Text] = []
        experiment = ctl.experiment(message.cause)
        if message.error:
            lines.append(Text(t("tui.status.verify_failed", lang, message=message.error), style="bold red"))
        elif message.cancelled or not records:
            lines.append(Text(t("tui.status.verify_cancelled", lang), style="yellow"))
        elif records[0].status != "ok":
            lines.append(Text(t("tui.status.verify_failed", lang, message=records[0].message_in(lang)),
                              style="bold red"))
        elif experiment["verdict"]:
            style = {"confirmed": "bold green", "refuted": "bold"}.get(experiment["verdict"], "yellow")
            lines.append(Text(t("tui.status.verified", lang, title=title,
                                verdict=t(f"tui.verify.verdict.{experiment['verdict']}", lang)), style=style))
            lines.append(Text(experiment["line"] or ""))
        if not message.error:
            lines.append(self.verdict_line())
        self.status = lines
        self.state_changed()
        self.notify(lines[0].plain, severity="error" if message.error else "information")

    async def action_quit(self) -> None:
        self._cancel = True          # the runner abandons a probe stuck in the user's code within a second
        self._stop_watch()
        self.exit()

    def action_interrupt(self) -> None:
        self._cancel = True
        self._stop_watch()
        self.exit(return_code=130)

    def _stop_watch(self) -> None:
        """Stop a running watch at once: its worker waits on the user's script
        (for up to the watch's timeout), and the app's shutdown waits on the
        worker. An exception raised in that thread takes the watch's own way
        out, which stops the script's process group (as for Ctrl-C)."""
        import ctypes

        with self._watch_lock:
            if self._watch_thread is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._watch_thread), ctypes.py_object(_Stop))

    def _catch_sigint(self) -> None:
        """SIGINT (kill -INT, or Ctrl-C where the terminal sends it as a
        signal) ends the session through the app, so that the terminal is
        restored and the measuring worker is told to stop; a
        KeyboardInterrupt tearing through the event loop would instead wait
        for that worker at shutdown."""
        import asyncio
        import signal

        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, self.action_interrupt)
        except (NotImplementedError, RuntimeError, ValueError):   # not the main thread, or no signals here
            pass

    # --- watching a script ----------------------------------------------------------
    def start_watch(self) -> None:
        lang = self.controller.lang
        self._before = self.controller.auto_state()
        self._begin("watch", t("tui.progress.watch", lang, script=self.controller.script), None)
        self._watch()

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _watch(self) -> None:
        with self._watch_lock:
            self._watch_thread = threading.get_ident()
        try:
            records = self.controller.watch()
        except _Stop:                 # the user quit: the watch stopped its script on the way out
            return
        except Exception as exc:
            from loss_advisor.probing.target import describe_exception
            self.post_message(WatchDone(error=str(exc).splitlines()[0] if str(exc) else describe_exception(exc)))
            return
        finally:
            with self._watch_lock:    # no stop can be aimed at this thread once it leaves
                self._watch_thread = None
        self.post_message(WatchDone(records=list(records)))

    def on_watch_done(self, message: WatchDone) -> None:
        lang = self.controller.lang
        self._end()
        if message.error:
            self.status = [Text(t("tui.status.watch_failed", lang, message=message.error), style="bold red")]
        else:
            for record in message.records:
                self.controller.add_record(record, feed=True)
            new = self.controller.answered_since(self._before)
            self.status = [Text(t("tui.status.watch_done", lang, script=self.controller.script, answered=len(new)),
                                style="bold"), self.verdict_line()]
        self.state_changed()
        self.notify(self.status[0].plain, severity="error" if message.error else "information")

    # --- progress in every view -------------------------------------------------------
    def _begin(self, kind: str, label: str, fraction: float | None) -> None:
        self.running = kind
        self._started = time.monotonic()
        self._progress_label, self._progress_fraction = label, fraction
        for view in self.views():
            self.sync_progress(view)
        self.state_changed()

    def _set_progress(self, label: str, fraction: float | None) -> None:
        self._progress_label, self._progress_fraction = label, fraction
        for view in self.views():
            if view._ready:
                view.progress.update_progress(label, fraction)

    def _end(self) -> None:
        self.running = None
        for view in self.views():
            if view._ready:
                view.progress.stop()

    def sync_progress(self, view: MainView) -> None:
        if not view._ready:
            return
        if self.running:
            elapsed = t("tui.progress.elapsed", self.controller.lang)
            view.progress.start(self._progress_label, self._started, elapsed)
            view.progress.update_progress(self._progress_label, self._progress_fraction)
        else:
            view.progress.stop()

    # --- files ----------------------------------------------------------------------
    def action_save(self) -> None:
        self._write(t("tui.save.title", self.controller.lang), SESSION_FILE, self.controller.save)

    def action_export(self) -> None:
        self._write(t("tui.export.title", self.controller.lang), REPORT_FILE, self.controller.export)

    def _write(self, title: str, default: str, writer) -> None:
        lang = self.controller.lang

        def done(path: str | None) -> None:
            if not path:
                return
            try:
                written = writer(path)
            except OSError as exc:
                line = Text(t("tui.dialog.failed", lang, path=path, error=exc.strerror or exc), style="bold red")
                self.notify(line.plain, severity="error")
            else:
                line = Text(t("tui.dialog.written", lang, path=str(written)), style="bold green")
                self.notify(line.plain)
            self.status = [line]
            self.state_changed()

        self.push_screen(PathDialog(title, default, lang), done)
