"""Probe progress: what runs, how far, for how long; hidden when idle."""
from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import ProgressBar, Static


class ProgressPanel(Vertical):
    """Shows the running measurement; the app feeds it through `update`."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.started: float | None = None
        self._timer = None
        self._elapsed_text = ""

    def compose(self) -> ComposeResult:
        yield Static(id="progress-label")
        with Horizontal(id="progress-row"):
            yield ProgressBar(total=1.0, show_eta=False, id="progress-bar")
            yield Static(id="progress-elapsed")

    def start(self, label: str, started: float, elapsed_text: str) -> None:
        self.started = started
        self._elapsed_text = elapsed_text
        self.add_class("-running")
        self.query_one("#progress-label", Static).update(Text(label))
        if self._timer is None:
            self._timer = self.set_interval(0.25, self._tick)
        self._tick()

    def update_progress(self, label: str, fraction: float | None) -> None:
        self.query_one("#progress-label", Static).update(Text(label))
        bar = self.query_one("#progress-bar", ProgressBar)
        if fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=1.0, progress=min(max(fraction, 0.0), 1.0))

    def set_elapsed_text(self, elapsed_text: str) -> None:
        self._elapsed_text = elapsed_text
        self._tick()

    def stop(self) -> None:
        self.started = None
        self.remove_class("-running")
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        if self.started is None:
            return
        seconds = time.monotonic() - self.started
        self.query_one("#progress-elapsed", Static).update(Text(self._elapsed_text.format(seconds=seconds)))
