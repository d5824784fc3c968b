"""Dialogs: a file path to write to, and a yes/no question."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from loss_advisor.core.i18n import t
from loss_advisor.surfaces.tui.keys import key, localize
from loss_advisor.surfaces.tui.widgets.footer import KeyFooter


class PathDialog(ModalScreen[str | None]):
    """Ask where to write; dismiss the path, or None when cancelled."""

    BINDINGS = [key("escape", "cancel", "close")]

    def __init__(self, title: str, default: str, lang: str, **kwargs):
        super().__init__(**kwargs)
        self.title_text, self.default, self.lang = title, default, lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"))
            yield Label(t("tui.dialog.path", self.lang))
            yield Input(self.default, id="path")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.dialog.write", self.lang), variant="primary", id="ok", compact=True)
                yield Button(t("tui.dialog.cancel", self.lang), id="cancel", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        localize(self, self.lang)
        self.query_one("#path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        value = self.query_one("#path", Input).value.strip()
        self.dismiss(value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; dismiss True for yes."""

    BINDINGS = [key("escape", "cancel", "close")]

    def __init__(self, question: str, yes: str, lang: str, **kwargs):
        super().__init__(**kwargs)
        self.question, self.yes, self.lang = question, yes, lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question))
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="error", id="yes", compact=True)
                yield Button(t("tui.dialog.cancel", self.lang), id="no", compact=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        localize(self, self.lang)
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_cancel(self) -> None:
        self.dismiss(False)
