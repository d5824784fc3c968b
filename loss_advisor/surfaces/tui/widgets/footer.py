"""The footer with every binding, laid out on a grid of rows.

Textual's Footer puts all keys on one line, which 80 columns cannot hold
for this app; this one keeps its rendering and wraps the keys into rows.
"""
from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer


class KeyFooter(Footer):
    COLUMNS = 6

    def compose(self) -> ComposeResult:
        yield from super().compose()
        # Footer sets one grid column per key; wrap them into rows instead.
        self.styles.grid_size_columns = self.COLUMNS
