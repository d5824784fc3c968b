"""Shared fixtures: the knowledge base, the examples folder, running the CLI."""
from __future__ import annotations

import io
import shutil
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def kb():
    from loss_advisor.core.kb import load_kb
    return load_kb()


@pytest.fixture()
def kb_copy(tmp_path):
    """A writable copy of the shipped knowledge folder."""
    dest = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", dest, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return dest


async def steady_screen(pilot, timeout: float = 20.0) -> None:
    """Wait on the app's state, not on time: until its messages are handled and
    two consecutive frames show the same screen. A single pause is not enough on
    a loaded machine, where a pushed screen or a relocalised footer can take
    several rounds of the message loop to reach the compositor (a TUI
    language-switch test failed 2 runs in 5 under `-n 2` on a busy machine,
    the Japanese snapshot now and then). While a worker runs, the screen
    changes by itself: return at once and let the caller wait for the worker."""
    deadline, last = time.monotonic() + timeout, None
    while True:
        await pilot.pause()
        if getattr(pilot.app, "running", None):
            return
        now = [strip.text for strip in pilot.app.screen._compositor.render_strips()]
        if now == last or time.monotonic() > deadline:
            return
        last = now


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


def run_cli(*args: str, stdin: str | None = None) -> CliResult:
    """Run `loss-advisor ARGS` in-process and capture its streams."""
    from loss_advisor.surfaces.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:          # argparse usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        sys.stdin = old_stdin
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture()
def cli():
    return run_cli


# Modules whose tests run the user's code for seconds each (watched scripts,
# whole probe suites, the TUI): `make test-fast` leaves them out for a quick
# loop while editing; `make test` (and CI) runs everything.
SLOW_MODULES = {"test_watch.py", "test_examples.py", "test_tui.py", "test_tui_snapshots.py", "test_bounded.py",
                "test_shapes.py", "test_ddp.py", "test_todays_training.py", "test_tui_verify.py"}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs the user's code for seconds (left out by `make test-fast`)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
