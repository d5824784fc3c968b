"""Budgets in seconds (issue 15.2): shared among the probes, none over a third;
each probe sizes its steps by the measured step time and says what it cut, in
both languages; progress is live bars on a terminal and plain lines elsewhere."""
from __future__ import annotations

import io

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from loss_advisor.core.i18n import message_in
from loss_advisor.pipeline.runner import budget_seconds, run_probes, select
from loss_advisor.probing.harness import Harness
from loss_advisor.probing.target import from_object


def small_setup():
    torch.manual_seed(0)
    x = torch.randn(256, 8)
    y = (x[:, 0] > 0).long()
    return {"model": nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2)), "loss_fn": nn.CrossEntropyLoss(),
            "optimizer": lambda p: torch.optim.SGD(p, lr=0.1),
            "train_data": DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True,
                                     generator=torch.Generator().manual_seed(0))}


def test_a_budget_in_seconds_is_shared_and_no_probe_gets_more_than_a_third():
    from loss_advisor.probes.base import share_budgets

    chosen = select(None)
    for seconds in (9.0, 60.0, 600.0):
        shares = share_budgets(chosen, seconds)
        assert set(shares) == {p.name for p in chosen}
        assert all(0 < b.seconds <= seconds / 3 + 1e-9 for b in shares.values())
        assert sum(b.seconds for b in shares.values()) <= seconds + 1e-6
        # Shares follow what each probe needs to measure well (its full budget).
        assert shares["seeds"].seconds > shares["batch_mixing"].seconds
    assert budget_seconds("fast") is None and budget_seconds("45") == 45.0 and budget_seconds(12) == 12.0
    for bad in ("soon", "0", "-3", "nan"):
        with pytest.raises(ValueError):
            budget_seconds(bad)


def _slow_steps(monkeypatch, seconds_per_example):
    """Pretend every reference step is slow: the timing probes size themselves by."""
    def note(self, seconds, examples):
        self.seconds_per_example = seconds_per_example
    monkeypatch.setattr(Harness, "note_step_time", note)


def test_a_slow_step_cuts_the_sweep_and_the_record_says_so_in_both_languages(monkeypatch):
    _slow_steps(monkeypatch, 0.005)         # 0.16 s a step of 32 examples
    outcome = run_probes(from_object(small_setup()), probes=["gradients", "lr_sweep"], budget="fast")
    sweep = next(r for r in outcome.records if r.name == "lr_sweep")
    assert sweep.status == "ok"
    assert sweep.message_key == "probes.budget_cut"
    planned, wanted = sweep.message_params["planned"], sweep.message_params["wanted"]
    # 6 s of the fast budget at 80%, 0.16 s a step: 30 of the 100 steps wanted.
    assert 20 <= planned < wanted == 100
    assert sweep.observations["lr_sweep.steps"] <= planned
    en, ja = sweep.message_in("en"), sweep.message_in("ja")
    assert f"{planned} of the {wanted}" in en and "0.16" in en
    assert en != ja and str(planned) in ja


def test_a_step_too_slow_for_the_minimum_skips_the_probe_with_its_reason(monkeypatch):
    _slow_steps(monkeypatch, 1.0)           # 32 s a step
    outcome = run_probes(from_object(small_setup()), probes=["gradients", "lr_sweep"], budget="fast")
    sweep = next(r for r in outcome.records if r.name == "lr_sweep")
    assert sweep.status == "skipped" and sweep.message_key == "probes.budget_too_small"
    assert "32" in sweep.message_in("en") and message_in(None, sweep.message_key, sweep.message_params, "ja")


def test_a_fast_step_is_never_cut():
    outcome = run_probes(from_object(small_setup()), probes=["lr_sweep", "short_run"], budget="fast")
    assert all(r.message_key != "probes.budget_cut" for r in outcome.records)


def test_the_cli_takes_seconds_and_refuses_anything_else(cli):
    ok = cli("probe", "loss_advisor.examples.demo:target", "--probes", "init_loss", "--budget", "20", "--format", "json", "--quiet")
    assert ok.code == 0, ok.err
    bad = cli("probe", "loss_advisor.examples.demo:target", "--probes", "init_loss", "--budget", "soon", "--quiet")
    assert bad.code == 2 and "budget" in bad.err


def test_progress_is_live_bars_on_a_terminal():
    from rich.console import Console

    from loss_advisor.surfaces.output import LiveProgress

    buf = io.StringIO()
    live = LiveProgress(buf, "en", console=Console(file=buf, force_terminal=True, width=100))
    live("data", 0, 2, 0.0, "")
    live("data", 0, 2, 0.5, "half way")
    live("data", 0, 2, 1.0, "ok")
    live("lr_sweep", 1, 2, 0.3, "lr=1e-3")
    live("lr_sweep", 1, 2, 1.0, "skipped")
    text = buf.getvalue()
    assert "\x1b[" in text                       # a terminal display, redrawn in place
    assert "━" in text                            # the bars
    assert "[1/2] data" in text and "[2/2] lr_sweep" in text
    assert "ok" in text and "skipped" in text
    assert not live.started                      # the last probe ended the display


def test_progress_is_plain_lines_when_stderr_is_not_a_terminal():
    from loss_advisor.surfaces.output import ProgressPrinter, progress_for

    buf = io.StringIO()
    printer = progress_for(buf, "ja")
    assert isinstance(printer, ProgressPrinter)
    printer("data", 0, 2, 0.5, "half way")
    printer("data", 0, 2, 1.0, "ok")
    printer("lr_sweep", 1, 2, 1.0, "skipped")
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2 and "\x1b" not in buf.getvalue()
    assert lines[0].startswith("[1/2] data:") and lines[1].startswith("[2/2] lr_sweep:")


def test_a_slow_model_takes_its_gradient_statistics_on_fewer_examples_and_says_so(monkeypatch):
    from loss_advisor.probes.gradients import STAT_EXAMPLES, GradientsProbe

    monkeypatch.setattr(GradientsProbe, "_rate", staticmethod(lambda h, model: 0.01))   # 2.56 s for 256 examples
    outcome = run_probes(from_object(small_setup()), probes=["gradients"], budget="fast")
    record = outcome.records[0]
    assert record.status == "ok" and record.message_key == "probes.budget_cut_examples"
    planned = record.message_params["planned"]
    # Half of 80% of the fast 3 s at 0.01 s an example: about 120 of the 256 wanted.
    assert 32 <= planned < record.message_params["wanted"] == STAT_EXAMPLES
    assert f"{planned} examples instead of {STAT_EXAMPLES}" in record.message_in("en")
    assert record.message_in("ja") != record.message_in("en")


def test_a_step_is_estimated_at_its_own_batch_size_not_from_a_time_per_example():
    """A small model's step is mostly overhead: 8 ms for 8 examples and 9 ms
    for 128. Read per example off the small batch, a 128-example step would
    look like 128 ms and its probe would be cut for nothing."""
    h = Harness(from_object(small_setup()))
    assert h.estimate_step(32) is None
    h.note_step_time(0.008, 8)
    h.note_step_time(0.009, 128)
    assert h.estimate_step(128) == pytest.approx(0.009)
    assert h.estimate_step(256) == pytest.approx(0.018)      # scaled up from the nearest size
    assert h.estimate_step(4) == pytest.approx(0.008)        # never down: the overhead stays
    assert h.eval_seconds_per_example() == pytest.approx(0.009 / 128 / 3)
