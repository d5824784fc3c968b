"""The hypotheses panel: every cause, ranked by the engine, with a bar."""
from __future__ import annotations

from typing import Iterable

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from loss_advisor.core.engine import Diagnosis
from loss_advisor.core.i18n import pick
from loss_advisor.core.kb import KnowledgeBase
from loss_advisor.core.view import is_finding
from loss_advisor.surfaces.tui.messages import CauseChosen

BLOCKS = " ▏▎▍▌▋▊▉█"
MARKS = {"confirmed": ("✓", "bold green"), "refuted": ("✗", "dim")}     # a cause's experiment, by its verdict


def bar(fraction: float, width: int) -> str:
    """A horizontal bar of `width` cells, filled to `fraction` in eighths."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (BLOCKS[part] if part else "")
    return text.ljust(width)


def bar_style(confidence: float, kind: str) -> str:
    """Findings stand out; a reassurance is never red."""
    if kind == "reassurance":
        return "green"
    return "bold red" if is_finding(confidence) else "yellow"


class HypothesesPanel(OptionList):
    """Causes ranked by confidence; choosing one opens its diagnosis."""

    BAR_WIDTH = 14

    def show(self, diagnoses: Iterable[Diagnosis], kb: KnowledgeBase, lang: str) -> None:
        keep = self.highlighted_option.id if self.highlighted_option is not None else None
        options = [Option(self.prompt(d, kb, lang), id=d.cause) for d in diagnoses]
        self.clear_options()
        self.add_options(options)
        ids = [o.id for o in options]
        if keep in ids:
            self.highlighted = ids.index(keep)
        elif options and self.has_focus:
            self.highlighted = 0

    def prompt(self, d: Diagnosis, kb: KnowledgeBase, lang: str) -> Text:
        cause = kb.causes[d.cause]
        text = Text(pick(cause.title, lang), style="bold" if d.evidence else "")
        text.append("\n")
        text.append(bar(d.confidence, self.BAR_WIDTH), style=bar_style(d.confidence, cause.kind))
        text.append(f" {d.confidence:4.0%}")
        verdict = (d.intervention or {}).get("verdict")
        if verdict in MARKS:                 # tested by experiment (issue 13)
            text.append(" " + MARKS[verdict][0], style=MARKS[verdict][1])
        return text

    def ranked_ids(self) -> list[str]:
        return [self.get_option_at_index(i).id for i in range(self.option_count)]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(CauseChosen(event.option.id))
