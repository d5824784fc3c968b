"""What every main view shares: a title bar, the hypotheses panel, the
probe progress and the footer with every binding."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from loss_advisor.core.i18n import t
from loss_advisor.surfaces.tui.keys import localize
from loss_advisor.surfaces.tui.widgets.footer import KeyFooter
from loss_advisor.surfaces.tui.widgets.hypotheses import HypothesesPanel
from loss_advisor.surfaces.tui.widgets.progress import ProgressPanel


class MainView(Screen):
    VIEW = ""                 # questions, diagnosis, checklist, probes
    SIDE_PANEL = True         # the hypotheses panel at the right

    _ready = False            # composed and mounted: safe to render

    @property
    def ctl(self):
        return self.app.controller

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="main"):
            with Vertical(id="content"):
                yield from self.compose_content()
            if self.SIDE_PANEL:
                yield HypothesesPanel(id="hypotheses")
        yield ProgressPanel(id="progress")
        yield KeyFooter(compact=True)

    def compose_content(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        localize(self, self.ctl.lang)
        self._ready = True
        self.refresh_state()
        self.app.sync_progress(self)

    def on_screen_resume(self) -> None:
        self.refresh_state()

    # --- rendering ----------------------------------------------------------------
    def refresh_state(self) -> None:
        """Render everything from the controller (after any change, and on a language switch)."""
        if not self._ready:
            return
        ctl, lang = self.ctl, self.ctl.lang
        parts = [t("tui.title", lang), t(f"tui.view.{self.VIEW}", lang)]
        if ctl.target_spec and ctl.attached:
            parts.append(t("tui.bar.target", lang, target=ctl.target_spec))
        if ctl.script:
            parts.append(t("tui.bar.script", lang, script=ctl.script))
        if ctl.log:
            parts.append(t("tui.bar.log", lang, log=ctl.log))
        if not (ctl.attached or ctl.script or ctl.log):
            parts.append(t("tui.bar.no_target", lang))
        self.query_one("#topbar", Static).update(Text(" · ".join(parts)))
        if self.SIDE_PANEL:
            panel = self.query_one("#hypotheses", HypothesesPanel)
            panel.border_title = t("tui.hyp.title", lang)
            panel.show(ctl.session.diagnoses(), ctl.kb, lang)
        self.render_content()
        self.refresh_bindings()

    def render_content(self) -> None:
        """Each view renders its own part here."""

    def relocalize(self) -> None:
        localize(self, self.ctl.lang)
        self.refresh_state()

    @property
    def progress(self) -> ProgressPanel:
        return self.query_one("#progress", ProgressPanel)
