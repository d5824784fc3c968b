"""The guided TUI, driven headless by Pilot: what is on screen after keys.

Every test builds the app with `create_app`, the factory the CLI uses, and
reads the screen as the user would see it (the rendered lines), not the
widgets' internals.
"""
from __future__ import annotations

import asyncio
import functools
import json
import textwrap
import time

import pytest

pytest.importorskip("textual")

from textual.widgets import Input  # noqa: E402

from conftest import steady_screen as idle  # noqa: E402

from loss_advisor.core.i18n import pick  # noqa: E402
from loss_advisor.core.kb import load_kb  # noqa: E402
from loss_advisor.surfaces.tui.app import create_app  # noqa: E402
from loss_advisor.surfaces.tui.controller import SetupError  # noqa: E402

DEMO = "loss_advisor.examples.demo:target"
FAST = ["data", "init_loss", "lr_sweep", "short_run"]
SIZE = (80, 24)
TALL = (100, 40)      # for views checked whole, where 80x24 would scroll

# A model that only works for batches of 32: the probes that use other batch
# sizes fail, the others do not.
def _target_source(forward_body: str) -> str:
    """A small three-class target whose model runs `forward_body` before its layers."""
    return textwrap.dedent('''
        import time
        import torch
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset


        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))

            def forward(self, x):
                %s
                return self.net(x)


        def target():
            g = torch.Generator().manual_seed(0)
            x = torch.randn(256, 4, generator=g)
            y = (x[:, 0] > 0).long() + (x[:, 1] > 1).long()
            return {
                "model": Model(),
                "loss_fn": nn.CrossEntropyLoss(),
                "optimizer": lambda p: torch.optim.SGD(p, lr=0.05),
                "train_data": DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, drop_last=True),
            }
    ''') % forward_body


# a model that fails on any batch but the loader's own size
PICKY = _target_source('if x.shape[0] != 32: raise RuntimeError(f"expected a batch of 32, got {x.shape[0]}")')
# every forward pass sleeps, so a measurement lasts long enough to be cancelled
# however busy the machine is
SLOW = _target_source("time.sleep(0.02)")


# --- helpers ---------------------------------------------------------------------

KB = load_kb()
KEYS = "1234567890"


def key(qid: str, answer: str) -> str:
    """The number key that gives `answer` to question `qid` (from the KB, as the screen numbers them)."""
    return KEYS[[a.id for a in KB.questions[qid].answers].index(answer)]


def q_text(qid: str, lang: str = "en") -> str:
    return pick(KB.questions[qid].text, lang)


def a_label(qid: str, answer: str, lang: str = "en") -> str:
    return pick(KB.questions[qid].answer(answer).label, lang)


def c_title(cause: str, lang: str = "en") -> str:
    return pick(KB.causes[cause].title, lang)


def run_async(test):
    """Run an async test in its own event loop (no pytest plugin needed)."""
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))
    return wrapper


def screen_text(app) -> str:
    """The terminal's lines as the user sees them."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def shown(app, selector: str | None = None) -> str:
    """What one widget (or the screen) shows, as one line of words: its
    visible cells on screen, with the wrapping undone."""
    strips = app.screen._compositor.render_strips()
    if selector is None:
        lines = [s.text for s in strips]
    else:
        region = app.screen.find_widget(app.screen.query_one(selector)).visible_region
        lines = [strips[y].crop(region.x, region.right).text for y in range(region.y, region.bottom)]
    return " ".join(" ".join(lines).translate(BORDERS).split())


async def press(pilot, *keys: str) -> None:
    """Press keys as the user would, then wait for the screen to show their effect."""
    await pilot.press(*keys)
    await idle(pilot)


BORDERS = str.maketrans({c: " " for c in "│╭╮╰╯─▁▂▃▄▅▆▇▌"})    # frames, scrollbars, rules


def flat(app) -> str:
    return shown(app)


def unspaced(text: str) -> str:
    return "".join(text.split())


def pane(app) -> str:
    """The question view's own column."""
    return shown(app, "#question-pane")


def ranking(app) -> list[str]:
    """The hypotheses panel's causes, top first, as shown."""
    panel = app.screen.query_one("#hypotheses, #ranking")
    return panel.ranked_ids()


async def settle(pilot, timeout: float = 60.0) -> None:
    """Wait until no measurement or watch runs and its messages are handled."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    await idle(pilot)
    while app.running and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        await idle(pilot)
    assert not app.running, "the measurement did not finish"
    await idle(pilot)
    await idle(pilot)


async def scroll_to_answers(pilot) -> None:
    """Scroll the question view down to the list of answers, as a user would."""
    pilot.app.screen.query_one("#question-pane").scroll_end(animate=False)
    await idle(pilot)
    await idle(pilot)


async def press_last_answer_until_done(pilot, limit: int = 60) -> None:
    """Answer each question with its last choice ("not sure" in most), by key."""
    ctl = pilot.app.controller
    for _ in range(limit):
        q = ctl.current()
        if q is None:
            return
        await press(pilot, "0" if len(q.answers) == 10 else str(len(q.answers)))
    raise AssertionError("the questions did not end")


# --- the questions alone ----------------------------------------------------------

@run_async
async def test_answering_by_keys_reaches_a_diagnosis():
    app = create_app("en")
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        text = pane(app)
        assert q_text("q_symptom") in text
        assert "Why we ask:" in text
        assert f"1 {a_label('q_symptom', KB.questions['q_symptom'].answers[0].id)}" in text
        assert "Hypotheses" in shown(app, "#hypotheses")
        # NaN -> from the first step -> "the data contain NaN": yes
        await press(pilot, key("q_symptom", "nan"), key("q_nan_when", "first"))
        assert q_text("q_data_nonfinite") in pane(app)
        await press(pilot, key("q_data_nonfinite", "found"))
        assert ranking(app)[0] == "nonfinite_data"
        await press_last_answer_until_done(pilot)
        await idle(pilot)
        assert "No more questions" in pane(app)
        await press(pilot, "d")
        await idle(pilot)
        await idle(pilot)
        assert "Diagnosis" in flat(app)
        text = shown(app, "#detail")
        assert c_title("nonfinite_data") in text
        assert "nonfinite_data · confidence" in text
        assert "Evidence for" in text
        assert f'you answered "{q_text("q_data_nonfinite")}" with "{a_label("q_data_nonfinite", "found")}"' in text
        assert "Remedies" in text
        # the remedies' code, copied with one key
        await press(pilot, "y")
        codes = [r.code.strip() for r in KB.causes["nonfinite_data"].remedies if r.code]
        assert codes and codes[0] in app.clipboard


@run_async
async def test_going_back_changes_the_ranking():
    app = create_app("en")
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        # NaN -> after some steps -> the data contain NaN: yes
        await press(pilot, key("q_symptom", "nan"), key("q_nan_when", "later"), key("q_data_nonfinite", "found"))
        await idle(pilot)
        assert ranking(app)[0] == "nonfinite_data"
        first = flat(app)
        assert shown(app, "#hypotheses").startswith("Hypotheses " + c_title("nonfinite_data"))
        await press(pilot, "b")
        await idle(pilot)
        assert ranking(app)[0] == "lr_too_high"
        text = pane(app)
        assert q_text("q_data_nonfinite") in text
        assert text != first
        # the panel shows the new leader first
        panel = shown(app, "#hypotheses")
        assert panel.startswith("Hypotheses " + c_title("lr_too_high"))


@run_async
async def test_reviewing_an_answer_and_restart():
    app = create_app("en")
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        await press(pilot, key("q_symptom", "nan"), key("q_nan_when", "later"))
        ctl = app.controller
        # choose the first question in the list of answers and change its answer
        log = app.screen.query_one("#answered")
        log.focus()
        log.highlighted = 0
        await press(pilot, "enter")
        await idle(pilot)
        text = shown(app, "#question-pane")
        assert "Reviewing an earlier answer" in text
        assert q_text("q_symptom") in text
        assert "your answer" in text
        await press(pilot, key("q_symptom", "erratic"))            # it swings wildly instead
        await idle(pilot)
        assert ctl.record("q_symptom").answer == "erratic"
        assert q_text(KB.questions["q_symptom"].answer("erratic").next) in pane(app)
        await press(pilot, "r")
        await idle(pilot)
        await pilot.click("#yes")
        await idle(pilot)
        assert ctl.session.history == []
        assert q_text("q_symptom") in pane(app)


@run_async
async def test_checklist_view_marks_rows():
    app = create_app("en")
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        await press(pilot, key("q_symptom", "nan"), key("q_nan_when", "first"), key("q_data_nonfinite", "found"))
        await press(pilot, "c")
        await idle(pilot)
        text = shown(app, "#checklist")
        assert "Final checklist" in text
        rows = {r.id: pick(r.category, "en") for r in KB.checklist}
        assert f"✗ {rows['data']} [problem]" in text
        assert f"? {rows['implementation']} [unknown]" in text
        # enter on a row opens its most likely cause
        app.screen.query_one("#checklist").highlighted = list(rows).index("data")
        await press(pilot, "enter")
        await idle(pilot)
        await idle(pilot)
        assert "nonfinite_data · confidence" in shown(app, "#detail")


@run_async
async def test_both_languages_render_and_switch():
    app = create_app("ja")
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        text = screen_text(app)
        assert q_text("q_symptom", "ja") in text
        assert "仮説" in text
        assert "回答" in text and "English" in text     # the footer, in Japanese
        await press(pilot, "l")
        await idle(pilot)
        text = screen_text(app)
        assert q_text("q_symptom") in text
        assert "Hypotheses" in text
        assert "日本語" in text and "Quit" in text
        await press(pilot, "d")
        await idle(pilot)
        await press(pilot, "l")
        await idle(pilot)
        await idle(pilot)
        assert "診断" in screen_text(app)
        assert "確信度" in shown(app, "#detail")


@run_async
async def test_the_diagnosis_opens_on_a_cause_other_than_the_top_one():
    """Opening the diagnosis on a lower cause rebuilds the detail twice in a
    row (mounting, then the ranking's highlight); the detail was an exclusive
    worker, and cancelling it while it awaited the old widgets' removal
    cancelled their tasks and, through the removal the app awaited too, ended
    the app's message loop: under a pty the app closed by itself (exit 0),
    here Pilot timed out. Both ways in: a cause chosen in the side panel
    before the view opens, and `selected_cause` set before `d`."""
    app = create_app("en")
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        await press(pilot, key("q_symptom", "nan"), key("q_nan_when", "later"))
        ids = ranking(app)
        third, second = ids[2], ids[1]
        # chosen in the side panel of the questions: the view opens on it
        app.screen.query_one("#hypotheses").focus()
        await press(pilot, "home", "down", "down", "enter")
        assert app.screen.VIEW == "diagnosis" and app.screen.cause == third
        assert c_title(third) in shown(app, "#detail")
        assert f"{third} · confidence" in shown(app, "#detail")
        # the app still answers keys: back to the questions, on to another cause
        await press(pilot, "escape")
        assert app.screen.VIEW == "questions"
        app.selected_cause = second
        await press(pilot, "d")
        assert app.screen.VIEW == "diagnosis" and app.screen.cause == second
        assert f"{second} · confidence" in shown(app, "#detail")
        await press(pilot, "down")
        assert f"{third} · confidence" in shown(app, "#detail")
        assert app.is_running


# --- probes from the UI -------------------------------------------------------------

@run_async
async def test_a_probe_runs_from_the_ui_and_changes_the_ranking():
    app = create_app("en", target=DEMO, probes=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        assert "target: loss_advisor.examples.demo:target" in shown(app, "#topbar")
        text = pane(app)
        assert "m Measure it (data, init_loss, short_run)" in text
        assert app.focused is app.screen.query_one("#measure")      # measuring is the default
        before = ranking(app)
        await press(pilot, "enter")
        await settle(pilot)
        text = pane(app)
        assert "Measured: 3 ok, 0 skipped, 0 failed" in text
        await scroll_to_answers(pilot)
        assert f"⚙ {q_text('q_symptom')} → {a_label('q_symptom', 'checkup')} [measured]" in shown(app, "#answered")
        after = ranking(app)
        assert after != before
        assert after[0] == "inputs_not_normalized"
        # the next question can be measured by the LR range test
        assert q_text("q_lr_position") in text
        assert "m Measure it (lr_sweep)" in text
        await press(pilot, "m")
        await settle(pilot)
        assert app.controller.record("q_lr_position").by_probe
        assert "q_lr_position" not in [q.id for q in [app.controller.current()] if q]
        # its picture
        await press(pilot, "p")
        await idle(pilot)
        await idle(pilot)
        text = screen_text(app)
        assert "LR range test (lr_sweep)" in text
        assert "Loss against learning rate" in text
        assert "your lr 0.001" in text
        assert "suggested" in text
        # and the short run's curves
        records = app.screen.query_one("#records")
        records.focus()
        records.highlighted = [o.id for o in records.options].index("short_run")
        await idle(pilot)
        text = screen_text(app)
        assert "Loss over steps" in text and "validation" in text


@run_async
async def test_a_measured_answer_shows_its_value_and_can_be_overridden():
    app = create_app("en", target=DEMO, probes=FAST)
    async with app.run_test(size=TALL) as pilot:
        await idle(pilot)
        await press(pilot, "m")
        await settle(pilot)
        ctl = app.controller
        assert ctl.record("q_symptom").by_probe
        log = app.screen.query_one("#answered")
        log.focus()
        log.highlighted = [o.id for o in log.options].index("q_symptom")
        await press(pilot, "enter")
        await idle(pilot)
        text = shown(app, "#question-pane")
        assert "Measured (short_run):" in text
        assert "curve.relative_drop = 1, threshold >= 0.25" in text
        assert "⚙ measured" in text
        await press(pilot, key("q_symptom", "slow"))     # "it looks flat", against the measurement
        await idle(pilot)
        assert ctl.record("q_symptom").source == "user"
        log = app.screen.query_one("#answered")
        log.focus()
        log.highlighted = [o.id for o in log.options].index("q_symptom")
        await press(pilot, "enter")
        await idle(pilot)
        text = shown(app, "#question-pane")
        assert "You overrode the measurement" in text
        assert "✎ your answer" in text


@run_async
async def test_a_failing_probe_shows_its_error_and_the_session_goes_on(tmp_path):
    path = tmp_path / "picky.py"
    path.write_text(PICKY)
    app = create_app("en", target=f"{path}:target", probes=["data", "init_loss", "overfit_batch", "short_run"])
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        await press(pilot, "a")             # measure all
        await settle(pilot)
        text = pane(app)
        assert "1 failed" in text
        assert "✗ overfit_batch failed: RuntimeError: expected a batch of 32, got" in text
        # the session goes on: answer the next question by key
        q = app.controller.current()
        assert q is not None
        await press(pilot, "1")
        await idle(pilot)
        assert app.controller.record(q.id).source == "user"
        await press(pilot, "p")
        await idle(pilot)
        assert "✗ Overfit one batch · overfit_batch" in shown(app, "#records")
        records = app.screen.query_one("#records")
        records.highlighted = [o.id for o in records.options].index("overfit_batch")
        await idle(pilot)
        assert "RuntimeError: expected a batch of 32" in shown(app, "#record-info")


@run_async
async def test_cancelling_a_measurement_keeps_the_session(tmp_path):
    path = tmp_path / "slow.py"
    path.write_text(SLOW)
    app = create_app("en", target=f"{path}:target")
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        await press(pilot, "a")
        assert app.running == "probes"
        assert "Measuring" in shown(app, "#progress")
        await press(pilot, "x")
        await settle(pilot)
        text = pane(app)
        assert "Measurement cancelled" in text
        # the probe running when "x" came is recorded as cancelled and none after it ran
        statuses = [s.status for s in app.controller.summaries.values()]
        cancelled = [s for s in app.controller.summaries.values() if s.message_key == "probes.cancelled"]
        assert len(cancelled) == 1 and cancelled[0].status == "skipped"
        assert statuses.count("ok") < 13
        assert app.controller.current() is not None


# --- save, resume, export ------------------------------------------------------------

async def _write_through_dialog(pilot, key: str, path) -> None:
    await press(pilot, key)
    await idle(pilot)
    field = pilot.app.screen.query_one(Input)
    field.value = str(path)
    await press(pilot, "enter")
    await idle(pilot)


@run_async
async def test_save_resume_and_export(tmp_path):
    saved = tmp_path / "session.json"
    report = tmp_path / "report.md"
    # as `loss-advisor --demo` starts: measuring the first question at once
    app = create_app("en", target=DEMO, probes=FAST, measure_first=True)
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        await settle(pilot)
        assert app.controller.record("q_symptom").by_probe
        await press(pilot, "1")            # the LR question, by hand
        await idle(pilot)
        current = app.controller.current().id
        ranked = ranking(app)
        await _write_through_dialog(pilot, "s", saved)
        assert unspaced(f"Written to {saved}") in unspaced(pane(app))       # a long path folds
        await _write_through_dialog(pilot, "e", report)
        assert unspaced(f"Written to {report}") in unspaced(pane(app))
    data = json.loads(saved.read_text())
    assert data["mode"] == "tui" and data["session"]["answers"]
    assert {p["name"] for p in data["probes"]} == {"data", "init_loss", "short_run"}
    assert data["diagnoses"][0]["cause"] == "inputs_not_normalized"
    markdown = report.read_text()
    assert markdown.startswith("# loss-advisor troubleshooting report")
    assert "inputs_not_normalized" in markdown

    resumed = create_app("en", resume=str(saved))
    async with resumed.run_test(size=SIZE) as pilot:
        await idle(pilot)
        assert resumed.controller.current().id == current
        assert ranking(resumed) == ranked
        await scroll_to_answers(pilot)
        assert f"⚙ {q_text('q_symptom')}" in shown(resumed, "#answered")
        await press(pilot, "p")          # the saved records still draw
        await idle(pilot)
        await idle(pilot)
        assert "Loss over steps" in screen_text(resumed)


def test_bad_setup_fails_before_the_app(tmp_path):
    with pytest.raises(SetupError, match="no such file"):
        create_app("en", target=str(tmp_path / "missing.py") + ":target")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(SetupError, match="not a saved session"):
        create_app("en", resume=str(broken))
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({"session": {"answers": [{"question": "q_gone", "answer": "x"}]}}))
    with pytest.raises(SetupError):
        create_app("en", resume=str(stale))


def test_cli_usage_errors_exit_2_with_one_line(cli, tmp_path):
    result = cli("tui", "--target", str(tmp_path / "missing.py") + ":target")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "no such file" in result.err
    result = cli("tui", "--resume", str(tmp_path / "nothing.json"))
    assert result.code == 2 and "no such file" in result.err
    result = cli("tui", "--script", str(tmp_path / "train.py"))
    assert result.code == 2 and "no such script" in result.err


# --- logs and the watched script ---------------------------------------------------------

def _curve_record(name: str):
    from loss_advisor.core.records import ProbeRecord

    steps = list(range(50))
    train = [2.0 * 0.97 ** s for s in steps]
    val = [2.0 * 0.97 ** s + (0.02 * (s - 25) if s > 25 else 0) for s in steps]
    return ProbeRecord(name, "ok", observations={"curve.relative_drop": 0.77, "curve.val_rise": 0.3,
                                                 "curve.val_rise_p": 0.001},
                       details={"train": {"steps": steps, "losses": train},
                                "val": {"steps": steps, "losses": val}})


@run_async
async def test_a_log_answers_the_curve_questions(monkeypatch, tmp_path):
    import loss_advisor.logs as logs

    class LogError(Exception):
        pass

    monkeypatch.setattr(logs, "LogError", LogError, raising=False)
    monkeypatch.setattr(logs, "log_record", lambda path, **kw: _curve_record("logs"), raising=False)
    app = create_app("en", log=str(tmp_path / "train.csv"))
    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        assert "log:" in shown(app, "#topbar")
        assert app.controller.record("q_symptom") is not None
        assert app.controller.record("q_symptom").by_probe
        await press(pilot, "p")
        await idle(pilot)
        await idle(pilot)
        assert "Loss over steps" in screen_text(app)

    def failing(path, **kw):
        raise LogError(f"{path}: no loss column")

    monkeypatch.setattr(logs, "log_record", failing)
    with pytest.raises(SetupError, match="no loss column"):
        create_app("en", log="train.csv")


@run_async
async def test_a_watched_script_runs_in_a_worker(monkeypatch, tmp_path):
    import loss_advisor.watch as watch

    class WatchError(Exception):
        pass

    script = tmp_path / "train.py"
    script.write_text("print('training')\n")
    monkeypatch.setattr(watch, "WatchError", WatchError, raising=False)
    monkeypatch.setattr(watch, "watch_record", lambda path, args=(), **kw: [_curve_record("watch")],
                        raising=False)
    app = create_app("en", script=str(script))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = pane(app)
        assert "Watched" in text and "question(s) answered" in text
        assert app.controller.record("q_symptom").by_probe

    def failing(path, args=(), **kw):
        raise WatchError("the script exited with status 1")

    monkeypatch.setattr(watch, "watch_record", failing)
    app = create_app("en", script=str(script))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "The script could not be watched: the script exited with status 1" in pane(app)
        await press(pilot, "1")              # and the questions go on
        assert app.controller.record("q_symptom") is not None


def _watched_record():
    """A record built the way the watch mode builds it, from a child's raw losses."""
    from loss_advisor.core.records import ProbeRecord
    from loss_advisor.watch.derive import observations

    raw = {"status": "steps", "steps": 50, "backward_calls": 50,
           "losses": [[s, 2.0 * 0.97 ** s] for s in range(50)],
           "val_losses": [[s, 2.1 * 0.97 ** s] for s in range(0, 50, 10)]}
    obs, details = observations(raw)
    return ProbeRecord("watch", "ok", 1.0, 50, observations=obs, details=details)


@run_async
async def test_a_watched_script_gets_its_loss_plot(monkeypatch, tmp_path):
    import loss_advisor.watch as watch

    script = tmp_path / "train.py"
    script.write_text("print('training')\n")
    monkeypatch.setattr(watch, "watch_record", lambda path, args=(), **kw: [_watched_record()], raising=False)
    app = create_app("en", script=str(script))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        await idle(pilot)
        await idle(pilot)
        assert "Loss over steps" in screen_text(app)
