"""Headless commands never import textual (STYLE.md, harlequin's habit), and
the commands that run no model (`kb`, `logs`, `report`) never import torch.

Each check runs in a fresh interpreter, so that nothing imported by other
tests hides an import, and looks at sys.modules afterwards.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

CHECK = textwrap.dedent('''
    import contextlib, io, json, sys
    from loss_advisor.surfaces.cli import main
    codes = []
    for argv in {argvs!r}:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                codes.append(main(argv))
            except SystemExit as exc:
                codes.append(exc.code)
    print(json.dumps({{"codes": codes, "textual": sorted(m for m in sys.modules if m.split(".")[0] == "textual"),
                       "torch": "torch" in sys.modules,
                       "tui": sorted(m for m in sys.modules if m.startswith("loss_advisor.surfaces.tui."))}}))
''')


def run_headless(*argvs: list[str]) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHECK.format(argvs=list(argvs))], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_the_cli_and_building_its_parser_imports_no_textual():
    seen = run_headless(["--help"], ["tui", "--help"])
    assert seen["codes"] == [0, 0]
    assert seen["textual"] == []
    assert seen["tui"] == ["loss_advisor.surfaces.tui.cli"]


@pytest.mark.parametrize("argv", [
    ["kb", "check"],
    ["kb", "show", "--lang", "ja"],
    ["probe", "loss_advisor.examples.demo:target", "--probes", "data,init_loss", "--format", "json", "--quiet"],
])
def test_headless_commands_never_import_textual(argv):
    seen = run_headless(argv)
    assert seen["codes"] in ([0], [1] if argv == ["kb", "check"] else [0])   # ran (kb check may find problems)
    assert seen["textual"] == [], f"`loss-advisor {' '.join(argv)}` imported {seen['textual'][:5]}"


def test_the_tui_controller_is_free_of_textual():
    proc = subprocess.run([sys.executable, "-c", "import sys, loss_advisor.surfaces.tui.controller as c; "
                           "print(any(m.split('.')[0] == 'textual' for m in sys.modules))"],
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


@pytest.fixture(scope="module")
def saved_result(tmp_path_factory) -> str:
    """A probe result saved as JSON and a small CSV log, for the commands that read files."""
    folder = tmp_path_factory.mktemp("hygiene")
    proc = subprocess.run([sys.executable, "-m", "loss_advisor", "probe", "loss_advisor.examples.demo:target",
                           "--probes", "data,init_loss", "--format", "json", "--quiet"], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr
    (folder / "result.json").write_text(proc.stdout)
    (folder / "log.csv").write_text("step,loss\n" + "".join(f"{i},{2.3 * 0.99 ** i}\n" for i in range(50)))
    return str(folder)


@pytest.mark.parametrize("argv", [["kb", "check"], ["kb", "show"], ["logs", "{folder}/log.csv"],
                                  ["report", "{folder}/result.json"], ["logs", "{folder}/log.csv", "--format", "markdown"]])
def test_commands_that_run_no_model_never_import_torch(argv, saved_result):
    argv = [a.format(folder=saved_result) for a in argv]
    seen = run_headless(argv)
    assert seen["codes"] == [0], argv
    assert seen["torch"] is False, f"`loss-advisor {' '.join(argv)}` imported torch"
    assert seen["textual"] == []


def test_ask_and_watch_never_import_textual(saved_result):
    seen = run_headless(["ask", "--format", "json"], ["watch", "--help"])
    assert seen["textual"] == []
