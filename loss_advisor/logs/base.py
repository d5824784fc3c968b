"""What every log reader returns, and the one error they raise.

A reader streams its file and keeps, for each column that might matter, the
(step, value) pairs in compact float arrays; the roles (training loss,
validation loss, learning rate, gradient norm) are picked from the column
names (see columns.py). Torch-free.
"""
from __future__ import annotations

import operator
from array import array
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from loss_advisor.core.i18n import t


class LogError(Exception):
    """A log that cannot be read, with a one-line reason in either language.

    `str(error)` is the English line; `error.message(lang)` the line in `lang`.
    """

    def __init__(self, key: str, **values: Any):
        self.key, self.values = key, values
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.values)


@dataclass
class Series:
    """One column: x positions (steps) and values, in file order."""
    steps: array = field(default_factory=lambda: array("d"))
    values: array = field(default_factory=lambda: array("d"))

    def __len__(self) -> int:
        return len(self.values)

    def add(self, step: float, value: float) -> None:
        self.steps.append(step)
        self.values.append(value)

    def sorted_by_step(self) -> tuple["Series", bool]:
        """Itself when the steps never go back; otherwise a copy sorted by step
        (stable, so a resumed run's repeated steps keep their order)."""
        s = self.steps
        if all(map(operator.le, s, islice(s, 1, None))):
            return self, False
        order = sorted(range(len(s)), key=s.__getitem__)
        return Series(array("d", (s[i] for i in order)), array("d", (self.values[i] for i in order))), True


@dataclass
class LogData:
    """What a reader found: the columns it kept, and notes for the user."""
    source: str                                   # csv, jsonl, tensorboard
    path: str
    columns: list[str]                            # every column (or tag) name seen
    series: dict[str, Series]                     # kept columns, by name
    rows: int = 0                                 # records read (rows, lines, events)
    x_axis: str = "row"                           # step, epoch, row
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)   # (message key, values)
    # The first value that was not a number, per kept column: (line, text).
    # An error only if that column is picked for a role.
    bad_values: dict[str, tuple[int, str]] = field(default_factory=dict)

    def note(self, key: str, **values: Any) -> None:
        self.notes.append((key, values))
