"""Probe results: each record with its status, and its picture."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from loss_advisor.core.i18n import t
from loss_advisor.surfaces.tui.keys import key
from loss_advisor.surfaces.tui.widgets.plots import ProbePlot, kind_of
from loss_advisor.surfaces.tui.screens.base import MainView

MARKS = {"ok": ("✓", "green"), "skipped": ("–", "dim"), "error": ("✗", "bold red")}


class ProbesScreen(MainView):
    VIEW = "probes"
    BINDINGS = [key("escape", "app.view('questions')", "questions")]

    def __init__(self, probe: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.probe = probe

    def compose_content(self) -> ComposeResult:
        yield OptionList(id="records")
        yield Static(id="record-info")
        yield ProbePlot(id="plot")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#records", OptionList).focus()

    def render_content(self) -> None:
        ctl, lang = self.ctl, self.ctl.lang
        records = self.query_one("#records", OptionList)
        records.border_title = t("tui.view.probes", lang)
        summaries = list(ctl.summaries.values())
        options = []
        for s in summaries:
            mark, style = MARKS.get(s.status, ("?", "dim"))
            line = Text(f"{mark} ", style=style)
            name = ctl.probe_title(s.name)
            line.append(name, style="bold")
            line.append((f" · {s.name}" if name != s.name else "") + " · "
                        + t("tui.probes.seconds", lang, seconds=s.seconds), style="dim")
            options.append(Option(line, id=s.name))
        records.clear_options()
        records.add_options(options)
        records.display = bool(options)
        names = [s.name for s in summaries]
        if self.probe not in names:
            plotted = [s.name for s in summaries if kind_of(s)]
            self.probe = (plotted or names or [None])[-1]
        if self.probe is not None:
            records.highlighted = names.index(self.probe)
        self._draw()

    def _draw(self) -> None:
        ctl, lang = self.ctl, self.ctl.lang
        info = self.query_one("#record-info", Static)
        plot = self.query_one("#plot", ProbePlot)
        summary = ctl.summaries.get(self.probe) if self.probe else None
        if summary is None:
            info.update(Text(t("tui.probes.none", lang)))
            plot.display = False
            return
        drawn = plot.draw(summary, lang)
        plot.display = drawn
        name = ctl.probe_title(summary.name)
        lines = [Text((f"{name} ({summary.name})" if name != summary.name else name) + " · ", style="bold")
                 + Text(t("tui.probes.line", lang, status=t(f"status.{summary.status}", lang),
                          seconds=summary.seconds, steps=summary.steps), style="dim")]
        if summary.message:
            lines.append(Text(summary.message_in(lang), style="red" if summary.status == "error" else "dim"))
        lines += [Text(n, style="dim") for n in summary.notes[:2]]
        if not drawn and summary.status == "ok":
            lines.append(Text(t("tui.plot.none", lang), style="dim"))
        info.update(Text("\n").join(lines))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "records" and event.option.id and event.option.id != self.probe:
            self.probe = event.option.id
            self.app.selected_probe = self.probe
            self._draw()
