"""The TUI's "verify this remedy" (issue 13.5): on a chosen cause, `v` (or
the button in the cause's detail) runs the cause's intervention for the
attached set-up in a worker (pipeline.api.verify_causes), with progress;
`v` again or Escape cancels; the outcome shows with its measured sentence
and the ranking follows the engine. A cause with no mechanical test says why,
in the KB's words. Driven by Pilot, as in test_tui.py."""
from __future__ import annotations

import textwrap

import pytest

pytest.importorskip("textual")

from test_tui import idle, press, run_async, settle, shown  # noqa: E402

from loss_advisor.core.i18n import pick, t  # noqa: E402
from loss_advisor.core.kb import load_kb  # noqa: E402
from loss_advisor.core.records import Curve, ProbeRecord  # noqa: E402
from loss_advisor.surfaces.tui.app import create_app  # noqa: E402
from loss_advisor.surfaces.tui.controller import Controller  # noqa: E402

KB = load_kb()
SIZE = (100, 40)

# A step that never clears its gradients (missing_zero_grad, tested by the
# reference step); `SLEEP` seconds in each forward pass make a run long
# enough to cancel however busy the machine is.
SOURCE = textwrap.dedent('''
    import time
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    SLEEP = %s


    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))

        def forward(self, x):
            if SLEEP:
                time.sleep(SLEEP)
            return self.net(x)


    def no_zero_grad(model, batch, optimizer, loss_fn):
        x, y = batch
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()


    def target():
        torch.manual_seed(0)
        x = torch.randn(512, 8)
        y = (x[:, 0] - x[:, 1] > 0).long()
        return {"model": Model(), "loss_fn": nn.CrossEntropyLoss(),
                "optimizer": lambda p: torch.optim.SGD(p, lr=0.5),
                "train_data": DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True,
                                         generator=torch.Generator().manual_seed(0)),
                "train_step": no_zero_grad}
''')


def _target(tmp_path, sleep: float = 0.0) -> str:
    path = tmp_path / "no_zero_grad.py"
    path.write_text(SOURCE % sleep)
    return f"{path}:target"


async def _open(pilot, cause: str) -> None:
    """The diagnosis view at `cause`, highlighted in its ranking as the arrow keys do."""
    await press(pilot, "d")
    ranking = pilot.app.screen.query_one("#ranking")
    ranking.highlighted = ranking.ranked_ids().index(cause)
    await idle(pilot)
    await idle(pilot)
    assert pilot.app.screen.cause == cause


async def _detail(pilot) -> str:
    """The cause's detail scrolled to its experiment (after the remedies), as shown."""
    await idle(pilot)
    screen = pilot.app.screen
    screen.query_one("#detail").scroll_to_widget(screen.query_one(".experiment-heading"), animate=False, top=True)
    await idle(pilot)
    await idle(pilot)
    return shown(pilot.app, "#detail")


def _notes(app) -> list[str]:
    return [n.message for n in app._notifications]


@run_async
async def test_verifying_a_remedy_runs_in_a_worker_and_moves_the_ranking(tmp_path, monkeypatch):
    # Where the paired runs ran is recorded as they start: checking app.running
    # after the key press raced a verification that can end before the check.
    import threading

    from loss_advisor.pipeline import api
    threads = []
    real_verify = api.verify_causes

    def recording_verify(*args, **kwargs):
        threads.append(threading.current_thread())
        return real_verify(*args, **kwargs)

    monkeypatch.setattr(api, "verify_causes", recording_verify)
    app = create_app("en", target=_target(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        # what the user said: their loop trails the reference one (a sign of a step
        # bug; a confirmation raises only a cause something already points to)
        app.controller.answer("q_loop_vs_reference", "loop_at_fault")
        await idle(pilot)
        await _open(pilot, "missing_zero_grad")
        detail = await _detail(pilot)
        assert t("tui.verify.heading", "en") in detail and t("tui.verify.not_yet", "en") in detail
        assert "Verify this remedy (v)" in detail
        assert "v Verify remedy" in shown(app)                   # the footer offers it
        before = next(d for d in app.controller.session.diagnoses() if d.cause == "missing_zero_grad")
        assert before.confidence < 0.9
        await pilot.press("v")
        await settle(pilot)
        assert threads and all(th is not threading.main_thread() for th in threads)   # in a worker
        outcome = app.controller.session.interventions["missing_zero_grad"]
        assert outcome["verdict"] == "confirmed", outcome
        after = next(d for d in app.controller.session.diagnoses() if d.cause == "missing_zero_grad")
        assert after.confidence >= 0.9 and after.intervention["verdict"] == "confirmed"
        assert app.screen.query_one("#ranking").ranked_ids()[0] == "missing_zero_grad"
        detail = await _detail(pilot)
        assert "✓ confirmed" in detail and "confirmed by experiment" in detail
        assert f"{outcome['steps']} steps" in detail
        assert t("tui.plot.experiment", "en") in detail               # both loss curves, drawn
        plot = app.screen.query_one(".experiment-plot")
        assert plot.shown.kind == "experiment" and set(plot.shown.curves) == {"missing_zero_grad"}
        assert any("✓ confirmed" in n for n in _notes(app))
        # the paired runs' record joins the probe records, for the plots and the report
        record = app.controller.summaries["interventions"]
        assert isinstance(record.curves()["missing_zero_grad"], Curve)
        # and the exported report shows the experiment
        md = app.controller.result().to_dict()
        top = md["diagnoses"][0]
        assert top["cause"] == "missing_zero_grad" and top["intervention"]["verdict"] == "confirmed"


@run_async
async def test_the_same_key_or_escape_cancels_and_the_ranking_stays(tmp_path):
    app = create_app("en", target=_target(tmp_path, sleep=0.02))
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        await _open(pilot, "missing_zero_grad")
        before = [(d.cause, d.confidence) for d in app.controller.session.diagnoses()]
        for cancel in ("v", "escape"):
            await pilot.press("v")
            assert app.running == "verify"
            await idle(pilot)
            title = pick(KB.causes["missing_zero_grad"].title, "en")
            assert f"Verifying: {title}" in shown(app, "#progress")
            await pilot.press(cancel)
            await settle(pilot, timeout=30)
            assert app.screen.VIEW == "diagnosis"                 # Escape cancelled, it did not leave
            assert t("tui.status.verify_cancelled", "en") in _notes(app)[-1]
            assert "missing_zero_grad" not in app.controller.session.interventions
            assert [(d.cause, d.confidence) for d in app.controller.session.diagnoses()] == before
        await press(pilot, "escape")                               # nothing running: back to the questions
        assert app.screen.VIEW == "questions"


@run_async
async def test_a_cause_with_no_mechanical_test_says_why_in_both_languages():
    for lang in ("en", "ja"):
        app = create_app(lang)
        async with app.run_test(size=SIZE) as pilot:
            await idle(pilot)
            await _open(pilot, "label_noise")
            why = pick(KB.causes["label_noise"].intervention.text, lang)
            expected = t("tui.verify.no_mechanism", lang, why=why)
            assert "".join(expected.split())[:40] in "".join((await _detail(pilot)).split())
            await pilot.press("v")
            await idle(pilot)
            assert app.running is None
            assert _notes(app)[-1] == expected


@run_async
async def test_without_a_set_up_the_action_says_how_to_attach_one():
    app = create_app("en")
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        await _open(pilot, "lr_too_high")
        assert "Verify this remedy (v)" not in await _detail(pilot)
        assert "".join(t("tui.verify.no_target", "en").split())[:40] in "".join((await _detail(pilot)).split())
        await pilot.press("v")
        await idle(pilot)
        assert app.running is None and _notes(app)[-1] == t("tui.verify.no_target", "en")


def test_a_second_verification_joins_the_first_record():
    ctl = Controller(KB, "en")

    def record(cause, verdict):
        outcome = {"mechanism": "lr_lower", "steps": 20, "seeds": [0, 1], "verdict": verdict,
                   "loss_as_is": 2.0, "loss_with_change": 1.0, "spread": 0.1}
        return ProbeRecord("interventions", "ok", seconds=1.0, steps=80,
                           details={"outcomes": {cause: outcome}, cause: Curve([0, 10, 20], {
                               "as_is": [2.3, 2.1, 2.0], "with_change": [2.3, 1.5, 1.0]})})

    ctl.add_interventions(record("lr_too_high", "confirmed"))
    ctl.add_interventions(record("lr_too_low", "refuted"))
    ctl.add_interventions(ProbeRecord("interventions", "skipped", message="nothing to test"))
    joined = ctl.summaries["interventions"]
    assert set(joined.details["outcomes"]) == {"lr_too_high", "lr_too_low"}
    assert set(joined.curves()) == {"lr_too_high", "lr_too_low"}
    assert joined.seconds == 2.0 and joined.steps == 160
