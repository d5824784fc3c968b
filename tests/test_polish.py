"""Smaller things a user sees (issue 16, point 5): each with its own test."""
from __future__ import annotations

import os
import re
import shlex

import pytest

from loss_advisor.core.engine import fill
from loss_advisor.core.kb import PLACEHOLDER


# --- the reproduce command is safe to paste -----------------------------------------------

@pytest.mark.parametrize("name", ["my runs/train.py:target", "a`touch x`.py:f", "x|rm -rf y.py:t", "it's.py:t"])
def test_reproduce_command_is_shell_quoted(name):
    from loss_advisor.core.result import reproduce_info

    argv = ["probe", name, "--format", "markdown"]
    command = reproduce_info(argv)["command"]
    assert shlex.split(command) == ["loss-advisor", *argv]


# --- `logs DIR` -------------------------------------------------------------------------

def _metrics(folder, losses):
    folder.mkdir(parents=True)
    rows = "".join(f"{i},{v}\n" for i, v in enumerate(losses))
    (folder / "metrics.csv").write_text("step,train_loss\n" + rows)
    return folder / "metrics.csv"


def test_logs_dir_finds_lightning_metrics_below_it_newest_first(tmp_path):
    from loss_advisor.logs import read_log

    old = _metrics(tmp_path / "lightning_logs" / "version_0", [2.0 - i * 0.01 for i in range(40)])
    new = _metrics(tmp_path / "lightning_logs" / "version_1", [3.0 - i * 0.01 for i in range(50)])
    os.utime(old, (1_000_000, 1_000_000))
    os.utime(new, (2_000_000, 2_000_000))
    assert read_log(tmp_path).path == str(new)
    os.utime(old, (3_000_000, 3_000_000))          # version_0 written last: it is the newest
    assert read_log(tmp_path).path == str(old)


def test_logs_dir_without_a_log_names_every_format(cli, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    done = cli("logs", str(tmp_path), "--lang", "en")
    assert done.code == 2
    line = done.err.strip().splitlines()[-1]
    for fmt in ("TensorBoard", "metrics.csv", "CSV", "JSON-lines"):
        assert fmt in line, line
    done = cli("logs", str(tmp_path), "--lang", "ja")
    assert "metrics.csv" in done.err and "TensorBoard" in done.err


# --- numbers in words -----------------------------------------------------------------

def test_signed_placeholder_follows_the_sign():
    text = "the loss barely moved ({c.d:.1%|fell #|rose #})"
    assert fill(text, {"c.d": -0.004}) == "the loss barely moved (rose 0.4%)"
    assert fill(text, {"c.d": 0.012}) == "the loss barely moved (fell 1.2%)"
    assert fill(text, {}) == "the loss barely moved (—)"


# Observations that can be negative (the loss rose) or far above 1 (a blow-up).
SIGNED = {"curve.relative_drop", "curve.val_relative_drop", "lr_sweep.loss_drop"}
UNBOUNDED = {"logs.rebound", "lr_sweep.loss_at_user_vs_start"}


def _evidence(kb):
    for q in kb.questions.values():
        for rule in q.auto:
            for lang in ("en", "ja"):
                yield rule, lang, rule.evidence[lang]


def _bounds(cond, name):
    """(lowest, highest) that a rule's condition allows `name`, read from its
    top-level comparisons (an `any` promises nothing)."""
    low, high = float("-inf"), float("inf")
    for c in cond.get("all", [cond]):
        if c.get("obs") == name and isinstance(c.get("value"), (int, float)):
            if c["op"] in (">", ">="):
                low = max(low, c["value"])
            elif c["op"] in ("<", "<="):
                high = min(high, c["value"])
    return low, high


def test_evidence_never_says_fell_minus_or_thousands_of_percent(kb):
    checked = 0
    for rule, lang, text in _evidence(kb):
        names = {m.group(1) for m in PLACEHOLDER.finditer(text)}
        if not names & (SIGNED | UNBOUNDED):
            continue
        obs = {n: 0.5 for n in names}
        obs.update({n: -0.041 for n in names & SIGNED if _bounds(rule.when, n)[0] < 0})
        obs.update({n: 29.55 for n in names & UNBOUNDED if _bounds(rule.when, n)[1] > 29.55})
        shown = fill(text, obs)
        checked += 1
        # a signed number after a word that already gives the direction
        assert not re.search(r"(fell|lowered the loss by only|fell only|at most|lost|by|rose|higher|lower) -\d", shown), \
            (rule, shown)
        assert not re.search(r"-\d+(\.\d+)?%(減|下が|増|上が)", shown), (rule, shown)
        assert not re.search(r"\(-\d+(\.\d+)?%\)", shown), (rule, shown)
        assert not re.search(r"\d{4,}%", shown), (rule, shown)
    assert checked >= 8


def test_one_record_is_singular():
    from loss_advisor.core.records import ProbeRecord
    from loss_advisor.surfaces.logs_cli import summary_text

    record = ProbeRecord("logs", "ok", observations={"curve.points": 1, "curve.start_loss": 2.3},
                         details={"source": {"path": "run.csv", "format": "csv", "rows": 1}})
    text = summary_text(record, "en")
    assert "1 record)" in text and "1 records" not in text
    assert "1 point," in text and "1 points" not in text
    record.details["source"]["rows"] = 2
    assert "2 records" in summary_text(record, "en")


# --- what the report and the TUI call things ------------------------------------------------

def test_every_probe_has_a_title_in_the_report():
    from loss_advisor.core.i18n import t
    from loss_advisor.probes import ALL_PROBES

    for probe in ALL_PROBES:
        for lang in ("en", "ja"):
            assert t(f"report.probe.{probe.name}", lang), probe.name


def test_a_question_whose_probes_were_all_skipped_does_not_say_measured():
    from types import SimpleNamespace

    pytest.importorskip("textual")
    from loss_advisor.core.records import ProbeRecord
    from loss_advisor.surfaces.tui.controller import Controller
    from loss_advisor.surfaces.tui.screens.question import QuestionScreen

    ctl = Controller.create("en", target="loss_advisor.examples.demo:target")
    q = ctl.kb.questions["q_train_mode"]
    assert ctl.probes_for(q.id) == ["train_step"]
    ctl.add_record(ProbeRecord("train_step", "skipped", message="the target gives no train_step",
                               message_key="probes.no_train_step"))
    notes = " ".join(line.plain for line in QuestionScreen._notes(SimpleNamespace(ctl=ctl, reviewing=None), q))
    assert "Measured" not in notes
    assert "Could not measure this (train_step: the target gives no train_step)" in notes
    ctl.set_lang("ja")
    notes = " ".join(line.plain for line in QuestionScreen._notes(SimpleNamespace(ctl=ctl, reviewing=None), q))
    assert "測定できませんでした" in notes and "targetにtrain_stepがない" in notes


# --- stderr -------------------------------------------------------------------------

def test_progress_counts_every_probe_and_lines_up(cli):
    # the demo target has no train_step: that probe is skipped without running
    done = cli("probe", "loss_advisor.examples.demo:target", "--probes", "data,train_step,init_loss",
               "--format", "json", "--lang", "en", "--device", "cpu")
    assert done.code == 0, done.err
    lines = [line for line in done.err.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in lines] == ["[1/3", "[2/3", "[3/3"]
    assert "skipped" in lines[2] and "train_step" in lines[2]
    columns = {len(line) - len(line.split()[-1]) for line in lines}
    assert len(columns) == 1, lines


def test_progress_printer_pads_the_counter():
    import io

    from loss_advisor.surfaces.output import ProgressPrinter

    out = io.StringIO()
    printer = ProgressPrinter(out, "en")
    printer("data", 0, 14, 1.0, "ok")
    printer("regularization", 9, 14, 1.0, "skipped")
    first, second = out.getvalue().splitlines()
    assert first.index("ok") == second.index("skipped")
    assert first.startswith("[ 1/14] data:")


QUIET_TARGET = '''
import warnings
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Linear):
    def forward(self, x):
        warnings.warn("a warning from inside the forward pass", UserWarning)
        return super().forward(x)


def target():
    x, y = torch.randn(64, 8), torch.randint(0, 3, (64,))
    return {"model": Net(8, 3), "loss_fn": nn.CrossEntropyLoss(),
            "optimizer": lambda p: torch.optim.SGD(p, lr=0.1),
            "train_data": DataLoader(TensorDataset(x, y), batch_size=16)}
'''


def test_quiet_silences_warnings(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "warns.py"
    path.write_text(QUIET_TARGET)

    def stderr(*extra: str) -> str:
        done = subprocess.run([sys.executable, "-m", "loss_advisor", "probe", f"{path}:target", "--probes", "gradients",
                               "--format", "json", "--device", "cpu", *extra], capture_output=True, text=True,
                              timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
        assert done.returncode == 0, done.stderr
        return done.stderr

    assert "a warning from inside the forward pass" in stderr()
    assert stderr("--quiet") == ""


# --- packaging ------------------------------------------------------------------------

@pytest.mark.slow
def test_wheel_builds_without_setuptools_warnings_and_ships_its_data(tmp_path):
    import shutil
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    src = tmp_path / "src"
    shutil.copytree(root, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                                             "__pycache__", "validation", "benchmarks"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v",
                           "-w", str(tmp_path / "dist"), str(src)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    log = done.stdout + done.stderr
    assert "would be ignored" not in log, re.findall(r"Package '[^']+' is absent", log)
    assert "license` as a TOML table is deprecated" not in log
    wheel = next((tmp_path / "dist").glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for wanted in ("loss_advisor/messages/probes.yaml", "loss_advisor/surfaces/templates/report.md.j2",
                   "loss_advisor/surfaces/tui/app.tcss", "loss_advisor/knowledge/tree.yaml",
                   "loss_advisor/knowledge/causes/learning_rate.yaml", "loss_advisor/probes/base.py"):
        assert wanted in names, wanted


# --- evidence -------------------------------------------------------------------------

def test_the_same_evidence_line_is_shown_once_but_counts_twice(kb, monkeypatch):
    from loss_advisor.core.engine import Session

    # two questions whose answers both raise one cause
    pairs = {}
    for q in kb.questions.values():
        for a in q.answers:
            for cause, weight in a.effects.items():
                if weight > 0:
                    pairs.setdefault(cause, {}).setdefault(q.id, a.id)
    cause, answers = next((c, a) for c, a in pairs.items() if len(a) >= 2)
    (q1, a1), (q2, a2) = list(answers.items())[:2]

    def score(same_text: bool):
        session = Session(kb, "en")
        if same_text:
            monkeypatch.setattr(Session, "describe", lambda self, rec: "one measurement, read twice")
        session.answer(q1, a1)
        session.answer(q2, a2)
        return next(d for d in session.diagnoses() if d.cause == cause)

    apart = score(False)
    assert len(apart.evidence) == 2
    together = score(True)
    assert [c.text for c in together.evidence] == ["one measurement, read twice"]
    assert together.score == apart.score
