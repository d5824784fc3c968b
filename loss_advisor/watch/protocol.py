"""What the watch's child and parent share: the stop signal and the record file.

The record is one JSON object, rewritten whole (write, then rename) each
time the child has something new, so that the parent never reads half a
file and a child killed at any moment leaves its last complete record.
Torch-free.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

RECORD_VERSION = 1

# Why the script stopped running (record["status"]).
RUNNING = "running"        # the child is still going (or was killed before finishing)
STEPS = "steps"            # the step limit was reached and the watch stopped the script
ENDED = "ended"            # the script ran to its end
EXITED = "exited"          # the script called sys.exit / exit()
RAISED = "raised"          # the script raised an exception
TIMEOUT = "timeout"        # the wall-clock limit stopped it
INTERNAL = "internal"      # the watch itself failed (a bug, not the script)
SPAWNED = "spawned"        # the script began to start its own worker processes, which the watch cannot follow


class StopWatching(BaseException):
    """Raised inside the script (from the optimizer step hook, or from a
    signal handler at the wall-clock limit) to stop it. A BaseException, so
    the script's own `except Exception:` blocks let it through."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def write_json(path: str | os.PathLike, data: Mapping[str, Any]) -> None:
    """Write whole, then rename: a reader never sees half a file."""
    from loss_advisor.core.result import json_safe

    target = Path(path)
    partial = target.with_name(target.name + ".part")
    partial.write_text(json.dumps(json_safe(dict(data)), ensure_ascii=False), encoding="utf-8")
    os.replace(partial, target)


def read_json(path: str | os.PathLike) -> dict[str, Any] | None:
    """The object in a file written by write_json, or None when there is none (yet)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_record(path: str | os.PathLike, record: Mapping[str, Any]) -> None:
    write_json(path, record)


def read_record(path: str | os.PathLike) -> dict[str, Any] | None:
    """The last complete record, or None when the child never wrote one."""
    data = read_json(path)
    return data if data is not None and data.get("version") == RECORD_VERSION else None
