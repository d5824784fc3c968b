"""The TUI's own messages, as small dataclasses (toolong's habit).

Workers post these from their threads (``post_message`` is thread-safe);
widgets post them to ask the app for something. Handlers live on the app.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class ProbeProgress(Message):
    """A probe's progress: ``progress(name, index, total, fraction, message)``."""
    name: str
    index: int
    total: int
    fraction: float
    message: str = ""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ProbeProgress)


@dataclass
class ProbeFinished(Message):
    """One probe's record, already fed to the engine."""
    record: Any


@dataclass
class MeasureDone(Message):
    """A measurement ended: how, and what it changed."""
    question: str | None
    probes: tuple[str, ...]
    cancelled: bool = False
    error: str | None = None
    setup: dict[str, Any] = field(default_factory=dict)


@dataclass
class WatchDone(Message):
    """The watched script ended: its records, or why it could not run."""
    records: list[Any] = field(default_factory=list)
    error: str | None = None


@dataclass
class CauseChosen(Message):
    """Open the diagnosis at this cause."""
    cause: str


@dataclass
class QuestionChosen(Message):
    """Review (and perhaps change) the answer to this question."""
    question: str


@dataclass
class VerifyProgress(Message):
    """The paired run of one cause's remedy: how far, and what it is doing."""
    cause: str
    fraction: float
    message: str = ""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, VerifyProgress)


@dataclass
class VerifyDone(Message):
    """A verification ended: the runner's records (the paired runs' among
    them, its outcome already in the session), or why it could not run."""
    cause: str
    records: list[Any] = field(default_factory=list)
    cancelled: bool = False
    error: str | None = None


@dataclass
class VerifyRequested(Message):
    """Verify this cause's remedy (or cancel the verification running)."""
    cause: str
