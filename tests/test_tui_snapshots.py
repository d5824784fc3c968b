"""Snapshots of the TUI's main views at 80x24 (pytest-textual-snapshot).

Update after an intended change with
    pytest tests/test_tui_snapshots.py --snapshot-update
and look at the SVGs in tests/__snapshots__/ before committing them.
The probe views come from a saved session with fixed numbers, so that no
timing or randomness reaches a snapshot.
"""
from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("textual")
pytest.importorskip("pytest_textual_snapshot")

from conftest import steady_screen  # noqa: E402
from loss_advisor.core.engine import Session  # noqa: E402
from loss_advisor.core.records import ProbeRecord  # noqa: E402
from loss_advisor.core.result import Result  # noqa: E402
from loss_advisor.surfaces.tui.app import create_app  # noqa: E402

SIZE = (80, 24)


def keys(*pressed: str):
    """A run_before for snap_compare: press the keys, then wait for a steady screen."""
    async def run_before(pilot) -> None:
        await steady_screen(pilot)
        if pressed:
            await pilot.press(*pressed)
        await steady_screen(pilot)
    return run_before


@pytest.fixture()
def saved_session(tmp_path, kb):
    """A session as the app saves it, with an LR range test, a short run and gradients."""
    session = Session(kb, "en")
    lrs = [10 ** (-6 + 0.125 * i) for i in range(41)]
    # falls from 2.3 towards 0.4 around 1e-3, then diverges past 3e-2
    losses = [0.4 + 1.9 / (1 + math.exp(3 * (math.log10(lr) + 3.5))) + (0 if lr < 3e-2 else 40 * (lr - 3e-2))
              for lr in lrs]
    observations = {"lr_sweep.user_lr": 0.1, "lr_sweep.suggested_lr": 1e-3, "lr_sweep.divergence_lr": 3e-2,
                    "lr_sweep.user_over_divergence": 0.1 / 3e-2, "lr_sweep.user_over_suggested": 100.0}
    session.observe(observations, source="lr_sweep")
    steps = list(range(0, 200, 2))
    train = [0.5 + 1.8 * math.exp(-s / 40) + 0.05 * math.sin(s) for s in steps]
    val = [0.6 + 1.7 * math.exp(-s / 40) + (0.004 * (s - 120) if s > 120 else 0) for s in steps[::10]]
    layers = [{"layer": f"net.{i}", "type": "Linear", "grad_norm": 10 ** (-4 + i), "relative_grad": 0.01,
               "update_ratio": 0.001} for i in range(5)]
    probes = [
        ProbeRecord("short_run", "ok", 1.25, 200, details={"train": {"steps": steps, "losses": train},
                                                    "val": {"steps": steps[::10], "losses": val}}),
        ProbeRecord("gradients", "ok", 0.5, 2, details={"layers": layers}),
        ProbeRecord("overfit_batch", "error", 0.01, 0, message="RuntimeError: expected a batch of 32, got 16"),
        ProbeRecord("lr_sweep", "ok", 0.75, 41, details={"lrs": lrs, "losses": losses, "smoothed": losses,
                                                  "user_lr": 0.1, "suggested_lr": 1e-3, "divergence_lr": 3e-2}),
    ]
    path = tmp_path / "session.json"
    data = Result(session=session, probes=probes, target="train.py:setup", mode="tui").to_dict()
    path.write_text(json.dumps(data))
    return str(path)


def test_question_view(snap_compare):
    assert snap_compare(create_app("en"), run_before=keys(), terminal_size=SIZE)


def test_question_view_in_japanese(snap_compare):
    assert snap_compare(create_app("ja"), run_before=keys("2"), terminal_size=SIZE)


def test_question_view_with_a_measured_answer(snap_compare, saved_session):
    async def review_measured(pilot):
        await pilot.pause()
        log = pilot.app.screen.query_one("#answered")
        log.focus()
        log.highlighted = [o.id for o in log.options].index("q_lr_position")
        await pilot.press("enter")
        await steady_screen(pilot)

    assert snap_compare(create_app("en", resume=saved_session), run_before=review_measured, terminal_size=SIZE)


def test_diagnosis_view(snap_compare):
    assert snap_compare(create_app("en"), run_before=keys("2", "1", "1", "d"), terminal_size=SIZE)


def test_checklist_view(snap_compare):
    assert snap_compare(create_app("en"), run_before=keys("2", "1", "1", "c"), terminal_size=SIZE)


def test_probe_results_lr_range_test(snap_compare, saved_session):
    assert snap_compare(create_app("en", resume=saved_session), run_before=keys("p"), terminal_size=SIZE)


def test_probe_results_gradients(snap_compare, saved_session):
    assert snap_compare(create_app("en", resume=saved_session), run_before=keys("p", "up", "up"), terminal_size=SIZE)


def test_save_dialog(snap_compare):
    async def steady_cursor(pilot):
        await pilot.pause()
        await pilot.press("s")
        pilot.app.screen.query_one("Input").cursor_blink = False
        await steady_screen(pilot)

    assert snap_compare(create_app("en"), run_before=steady_cursor, terminal_size=SIZE)
