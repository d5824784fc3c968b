"""The answers given so far, by the user or by a probe; choose one to review it."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from loss_advisor.core.i18n import pick, t
from loss_advisor.surfaces.tui.messages import QuestionChosen

PROBE_MARK, USER_MARK = "⚙", "✎"


class AnswerLog(OptionList):
    def show(self, controller) -> None:
        lang = controller.lang
        keep = self.highlighted_option.id if self.highlighted_option is not None else None
        options = []
        for rec in controller.answered():
            q = controller.question(rec.question)
            line = Text()
            line.append(PROBE_MARK if rec.by_probe else USER_MARK, style="cyan" if rec.by_probe else "green")
            line.append(" " + pick(q.text, lang))
            line.append("\n  → " + pick(q.answer(rec.answer).label, lang), style="bold")
            if rec.by_probe:
                line.append(f"  [{t('tui.q.marker_probe', lang)}]", style="cyan")
            if not controller.on_path(rec.question):
                line.append(f"  ({t('tui.q.off_path', lang)})", style="dim")
                line.stylize("dim")
            options.append(Option(line, id=rec.question))
        self.clear_options()
        self.add_options(options)
        ids = [o.id for o in options]
        if keep in ids:
            self.highlighted = ids.index(keep)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(QuestionChosen(event.option.id))
