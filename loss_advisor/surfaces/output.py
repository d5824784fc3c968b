"""What every command shares: exit codes, output formats, progress on stderr."""
from __future__ import annotations

import json
from typing import TextIO

from loss_advisor.core.i18n import t

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
FORMATS = ("text", "json", "markdown")


def emit(result, fmt: str, out: TextIO, template: str | None = None, assets: str | None = None) -> None:
    if fmt == "json":
        json.dump(result.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "markdown":
        from loss_advisor.surfaces.report import render_markdown
        out.write(render_markdown(result, template=template, assets_dir=assets))
    else:
        out.write(result.to_text())


def progress_for(stream: TextIO, lang: str):
    """Probe progress on `stream`: live bars on a terminal (LiveProgress),
    plain lines otherwise (ProgressPrinter), so a log file or a CI job gets
    no control codes."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return LiveProgress(stream, lang) if tty else ProgressPrinter(stream, lang)


class LiveProgress:
    """A live bar per probe on a terminal, with its time left (rich, which
    Textual brings; imported here only, so headless runs without a terminal
    never load it). A finished probe keeps its line with its status. Close
    it (or let the last probe finish) before writing results below it."""

    def __init__(self, stream: TextIO, lang: str, console=None):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

        self.lang = lang
        self.console = console or Console(file=stream, stderr=True)
        self.progress = Progress(
            TextColumn("{task.fields[counter]} {task.description:<14}"),
            BarColumn(bar_width=24),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[note]}"),
            console=self.console, transient=False, auto_refresh=True, refresh_per_second=4)
        self.tasks: dict[str, int] = {}
        self.started = False

    def __call__(self, name: str, index: int, total: int, fraction: float, message: str) -> None:
        if not self.started:
            self.progress.start()
            self.started = True
        counter = f"[{index + 1:>{len(str(total))}}/{total}]"
        task = self.tasks.get(name)
        if task is None:
            task = self.tasks[name] = self.progress.add_task(name, total=1.0, counter=counter, note="")
        if message in ("ok", "skipped", "error"):
            self.progress.update(task, completed=1.0, note=t("status." + message, self.lang))
            self.progress.stop_task(task)
            if index + 1 == total:
                self.close()
        else:
            self.progress.update(task, completed=min(max(fraction, 0.0), 1.0), note=message[:40])

    def close(self) -> None:
        if self.started:
            self.progress.stop()
            self.started = False


class ProgressPrinter:
    """Probe progress on stderr: one updating line on a terminal, one line per probe otherwise."""

    def __init__(self, stream: TextIO, lang: str):
        self.stream, self.lang = stream, lang
        self.tty = stream.isatty()

    # The longest probe name (input_baseline, regularization) is 14 characters.
    NAME_WIDTH = 14

    def __call__(self, name: str, index: int, total: int, fraction: float, message: str) -> None:
        # The runner reports every probe, skipped ones included, so the
        # counter runs 1..N; counter and name are padded so that the status
        # column lines up.
        counter = f"[{index + 1:>{len(str(total))}}/{total}]"
        if self.tty:
            self.stream.write(f"\r\033[K{counter} {name:<{self.NAME_WIDTH}} {fraction:4.0%} {message[:40]}")
            if fraction >= 1.0 and index + 1 == total:
                self.stream.write("\r\033[K")
            self.stream.flush()
        elif message in ("ok", "skipped", "error"):
            self.stream.write(f"{counter} {name + ':':<{self.NAME_WIDTH + 1}} {t('status.' + message, self.lang)}\n")
            self.stream.flush()
