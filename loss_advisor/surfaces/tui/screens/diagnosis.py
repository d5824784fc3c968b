"""The diagnosis view: the ranking at the left, the chosen cause in full."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import OptionList

from loss_advisor.core.i18n import t
from loss_advisor.surfaces.tui.keys import key
from loss_advisor.surfaces.tui.messages import CauseChosen
from loss_advisor.surfaces.tui.widgets.cause import CauseDetail
from loss_advisor.surfaces.tui.widgets.hypotheses import HypothesesPanel
from loss_advisor.surfaces.tui.screens.base import MainView


class DiagnosisScreen(MainView):
    VIEW = "diagnosis"
    SIDE_PANEL = False        # the ranking is the left column here
    BINDINGS = [
        key("v", "verify", "verify"),
        key("y", "copy", "copy"),
        key("escape", "escape", "questions"),
    ]

    def __init__(self, cause: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.cause = cause
        self._detail_for: tuple | None = None

    def compose_content(self) -> ComposeResult:
        with Horizontal(id="diagnosis"):
            yield HypothesesPanel(id="ranking")
            yield CauseDetail(id="detail")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#ranking", HypothesesPanel).focus()

    def render_content(self) -> None:
        ctl, lang = self.ctl, self.ctl.lang
        ranking = self.query_one("#ranking", HypothesesPanel)
        ranking.border_title = t("tui.hyp.title", lang)
        ranking.show(ctl.session.diagnoses(), ctl.kb, lang)
        ids = ranking.ranked_ids()
        if self.cause not in ids:
            self.cause = ids[0] if ids else None
        if self.cause is not None:
            ranking.highlighted = ids.index(self.cause)
        self._show_detail(force=True)

    def _show_detail(self, force: bool = False) -> None:
        if self.cause is None:
            return
        ctl = self.ctl
        diagnosis = next(d for d in ctl.session.diagnoses() if d.cause == self.cause)
        experiment = ctl.experiment(self.cause)
        state = (self.cause, ctl.lang, diagnosis.confidence, tuple(c.text for c in diagnosis.evidence),
                 tuple(c.text for c in diagnosis.against), tuple(sorted(experiment.items())))
        if state == self._detail_for and not force:
            return
        self._detail_for = state
        detail = self.query_one("#detail", CauseDetail)
        detail.border_title = t("tui.view.diagnosis", ctl.lang)
        detail.show(ctl.kb.causes[self.cause], diagnosis, ctl.lang, experiment)

    def action_verify(self) -> None:
        """Verify the chosen cause's remedy by experiment (again: cancel it)."""
        if self.cause is not None:
            self.app.start_verify(self.cause)

    def action_escape(self) -> None:
        """Escape cancels a verification running; otherwise back to the questions."""
        if self.app.running == "verify":
            self.app.action_cancel()
        else:
            self.app.action_view("questions")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "ranking" and event.option.id and event.option.id != self.cause:
            self.cause = event.option.id
            self.app.selected_cause = self.cause
            self._show_detail()

    def on_cause_chosen(self, message: CauseChosen) -> None:
        message.stop()
        self.cause = message.cause
        self._show_detail()
        self.query_one("#detail", CauseDetail).focus()

    def action_copy(self) -> None:
        codes = self.query_one("#detail", CauseDetail).codes()
        lang = self.ctl.lang
        if not codes:
            self.notify(t("tui.diag.no_code", lang), severity="warning")
            return
        self.app.copy_to_clipboard("\n\n".join(codes))
        self.notify(t("tui.diag.copied", lang, count=len(codes)))
