"""The article's final checklist, each row checked, failed or unknown."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from loss_advisor.core.i18n import t
from loss_advisor.core.view import checklist
from loss_advisor.surfaces.tui.keys import key
from loss_advisor.surfaces.tui.messages import CauseChosen
from loss_advisor.surfaces.tui.screens.base import MainView

MARKS = {"checked": ("✓", "green"), "failed": ("✗", "bold red"), "unknown": ("?", "dim")}


class ChecklistScreen(MainView):
    VIEW = "checklist"
    BINDINGS = [key("escape", "app.view('questions')", "questions")]

    def compose_content(self) -> ComposeResult:
        yield OptionList(id="checklist")
        yield Static(id="checklist-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#checklist", OptionList).focus()

    def render_content(self) -> None:
        ctl, lang = self.ctl, self.ctl.lang
        listing = self.query_one("#checklist", OptionList)
        keep = listing.highlighted
        options = []
        for item in checklist(ctl.session, lang):     # the view model's rows and states
            row_id, status = item["id"], item["status"]
            mark, style = MARKS.get(status, ("?", "dim"))
            line = Text(f"{mark} ", style=style)
            line.append(item["category"], style="bold")
            line.append(f"  [{t('tui.check.' + status, lang)}]", style=style)
            line.append("\n  " + item["check"], style="dim" if status == "unknown" else "")
            if status == "failed":
                _, title, confidence = item["top"]
                line.append(f"\n  → {title} {confidence:.0%}", style=style)
            options.append(Option(line, id=row_id))
        listing.clear_options()
        listing.add_options(options)
        listing.border_title = t("tui.view.checklist", lang)
        if keep is not None and keep < len(options):
            listing.highlighted = keep
        self.query_one("#checklist-hint", Static).update(Text(t("tui.check.hint", lang), style="dim"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "checklist":
            return
        event.stop()
        row = next(r for r in checklist(self.ctl.session, self.ctl.lang) if r["id"] == event.option.id)
        if row["top"] is not None:
            self.post_message(CauseChosen(row["top"][0]))
