"""One cause in full: theory, symptoms, the evidence, how to confirm, remedies."""
from __future__ import annotations

from typing import Any, Mapping

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from loss_advisor.core.engine import Contribution, Diagnosis
from loss_advisor.core.i18n import pick, t
from loss_advisor.core.kb import Cause
from loss_advisor.surfaces.tui.messages import VerifyRequested


class CodeSnippet(Vertical):
    """A remedy's code with a button that copies it."""

    def __init__(self, code: str, lang: str, **kwargs):
        super().__init__(**kwargs)
        self.code = code.rstrip("\n")
        self.lang = lang

    def compose(self) -> ComposeResult:
        yield Static(Syntax(self.code, "python", theme="ansi_dark", word_wrap=True), classes="code")
        yield Button(t("tui.diag.copy", self.lang), compact=True, classes="copy")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.app.copy_to_clipboard(self.code)
        self.notify(t("tui.diag.copied", self.lang, count=1))


class Item(Horizontal):
    """A marker column and a text that wraps under itself (a hanging indent)."""

    def __init__(self, marker: Text | str, text: Text | str, **kwargs):
        super().__init__(**kwargs)
        self.marker, self.text = Text(marker) if isinstance(marker, str) else marker, \
            Text(text) if isinstance(text, str) else text

    def compose(self) -> ComposeResult:
        yield Static(self.marker, classes="marker")
        yield Static(self.text, classes="text")


def _heading(text: str) -> Static:
    return Static(Text(text, style="bold underline"), classes="heading")


def _evidence(c: Contribution) -> Item:
    by_probe = c.source != "user"
    marker = Text("⚙" if by_probe else "✎", style="cyan" if by_probe else "green")
    marker.append(f"{c.weight:+g}", style="bold" if c.weight > 0 else "dim")
    return Item(marker, c.text, classes="item evidence")


def _bullet(text: str) -> Item:
    return Item("•", text, classes="item")


VERDICT_STYLES = {"confirmed": "bold green", "refuted": "bold", "inconclusive": "yellow"}


class VerifyButton(Button):
    """Asks the app to verify this cause's remedy (or to cancel the run)."""

    def __init__(self, cause: str, label: str, **kwargs):
        super().__init__(label, compact=True, **kwargs)
        self.cause = cause

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(VerifyRequested(self.cause))


def _experiment(cause: str, experiment: Mapping[str, Any], lang: str) -> list:
    """The remedy's experiment: what it changes, its last outcome, and the
    button that runs it; or why no experiment tests this cause."""
    heading = _heading(t("tui.verify.heading", lang))
    heading.add_class("experiment-heading")
    widgets: list = [heading]
    if experiment.get("change"):
        widgets.append(Static(Text(t("tui.verify.how", lang, change=experiment["change"]), style="dim"),
                              classes="item"))
    verdict = experiment.get("verdict")
    if verdict:
        marker = Text(t(f"tui.verify.verdict.{verdict}", lang), style=VERDICT_STYLES.get(verdict, ""))
        widgets.append(Item(marker, experiment.get("line") or "", classes="item experiment"))
        if experiment.get("picture") is not None:
            from loss_advisor.surfaces.tui.widgets.plots import ExperimentPlot
            widgets.append(ExperimentPlot(experiment["picture"], lang, classes="experiment-plot"))
    elif experiment.get("change"):
        widgets.append(Static(Text(t("tui.verify.not_yet", lang), style="dim"), classes="item"))
    if experiment.get("change"):
        if experiment.get("blocked"):
            widgets.append(Static(Text(experiment["blocked"], style="dim"), classes="item"))
        else:
            widgets.append(VerifyButton(cause, t("tui.verify.button", lang), classes="verify"))
    elif experiment.get("blocked"):
        widgets.append(Static(Text(experiment["blocked"], style="dim"), classes="item"))
    return widgets


class CauseDetail(VerticalScroll):
    """Rebuilt for each cause; texts come from the KB, evidence from the engine.

    `show` awaits nothing: the removal and the mounting are queued in order on
    the message loop, so a newer cause simply queues after an older one. It
    was once an exclusive worker awaiting `remove_children()`: a second render
    cancelled the first while it awaited the removal, and asyncio's gather
    passed the cancellation on to the removed widgets' own tasks, which the
    app's loop was also awaiting: the app stopped handling messages, a frozen
    screen (opening a cause other than the top one did it)."""

    def show(self, cause: Cause, diagnosis: Diagnosis, lang: str,
             experiment: Mapping[str, Any] | None = None) -> None:
        widgets = [
            Static(Text(pick(cause.title, lang), style="bold"), classes="title"),
            Static(Text(f"{cause.id} · " + t("tui.diag.confidence", lang, pct=f"{diagnosis.confidence:.0%}"),
                        style="dim")),
            Static(Text(pick(cause.summary, lang))),
            _heading(t("tui.diag.evidence", lang)),
        ]
        if diagnosis.evidence:
            widgets += [_evidence(c) for c in diagnosis.evidence]
        else:
            widgets.append(Static(Text(t("tui.diag.no_evidence", lang), style="dim"), classes="item"))
        if diagnosis.against:
            widgets.append(_heading(t("tui.diag.against", lang)))
            widgets += [_evidence(c) for c in diagnosis.against]
        widgets.append(_heading(t("tui.diag.remedies", lang)))
        for r in cause.remedies:
            widgets.append(_bullet(pick(r.text, lang)))
            if r.code:
                widgets.append(CodeSnippet(r.code, lang))
        if experiment is not None:
            widgets += _experiment(cause.id, experiment, lang)
        widgets.append(_heading(t("tui.diag.theory", lang)))
        widgets.append(Static(Text(pick(cause.theory, lang))))
        widgets.append(_heading(t("tui.diag.symptoms", lang)))
        widgets += [_bullet(pick(s, lang)) for s in cause.symptoms]
        widgets.append(_heading(t("tui.diag.confirm", lang)))
        widgets += [_bullet(pick(s, lang)) for s in cause.confirm]
        with self.app.batch_update():
            self.remove_children()
            self.mount_all(widgets)
        self.call_after_refresh(self.scroll_home, animate=False)

    def codes(self) -> list[str]:
        return [s.code for s in self.query(CodeSnippet)]
