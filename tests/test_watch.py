"""`loss-advisor watch SCRIPT.py` on unchanged training scripts.

Every script in examples/scripts/ is watched through the real command line
(`--format json`) and must give its expected top diagnosis; the healthy one
raises nothing at 0.5 or above (actually_decreasing aside). Arguments after
the script reach the script; bad input gives one line and exit 2, quickly;
--then-probe adds the probe records without overriding what the watched run
showed. The example watches run side by side (each is its own process).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ROOT

SCRIPTS = ROOT / "examples" / "scripts"
EXPECTED = {
    "missing_zero_grad": "missing_zero_grad",
    "step_before_backward": "step_before_backward",
    "zero_grad_before_step": "step_before_backward",
    "eval_mode": "eval_mode_during_training",
    "device_mismatch": "device_mismatch",
    "frozen_params": "params_not_updated",
    "unshuffled": "data_not_shuffled",
    "frozen_all": "params_not_updated",
}
# healthy_closure: Adam called as opt.step(closure) (LBFGS below); healthy_val_grad: a
# validation loop in eval mode without torch.no_grad().
HEALTHY = ["healthy", "healthy_closure", "healthy_val_grad", "healthy_in_model_norm"]
NOT_WATCHED = {"benchmark", "digits_data"}     # the overhead workload (run below with arguments), a helper
# Scripts that train through Lightning's or Hugging Face's Trainer: watched, and
# run with the callbacks, in tests/test_integrations.py (they need the extras).
NOT_WATCHED |= {"lightning_healthy", "lightning_lr_too_high", "hf_trainer_healthy", "hf_trainer_frozen"}
# Today's training (schedules, precision, accumulation, clipping): watched in tests/test_todays_training.py.
NOT_WATCHED |= {"schedule_per_batch", "scaler_bypassed", "scaler_no_update", "fp16_no_scaler", "accumulation_not_divided",
                "zero_grad_in_accumulation", "clipping_too_strong", "healthy_warmup_transformer", "healthy_bf16",
                "healthy_accumulation", "healthy_clipping"}


def watch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "loss_advisor", "watch", "--quiet", "--lang", "en", *args]


def run_watch(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(watch_command(*args), capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def watched() -> dict[str, dict]:
    """Every example script watched once, in parallel, as `--format json`."""
    names = sorted(EXPECTED) + HEALTHY
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = dict(zip(names, pool.map(
            lambda n: run_watch("--format", "json", str(SCRIPTS / f"{n}.py")), names)))
    out = {}
    for name, proc in done.items():
        assert proc.returncode == 0, f"{name}: {proc.stderr[-2000:]}"
        out[name] = json.loads(proc.stdout)
    return out


def watch_findings(data: dict) -> dict:
    return next(p for p in data["probes"] if p["name"] == "watch")["findings"]


def test_every_script_is_listed():
    files = {p.stem for p in SCRIPTS.glob("*.py") if not p.stem.startswith("_")}
    assert files == set(EXPECTED) | set(HEALTHY) | NOT_WATCHED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_script_top_diagnosis(watched, name):
    data = watched[name]
    top = data["diagnoses"][0]
    assert top["cause"] == EXPECTED[name], [(d["cause"], d["confidence"]) for d in data["diagnoses"][:4]]
    assert top["confidence"] >= 0.5
    assert top["evidence"] and any("measured" in line for line in top["evidence"])
    assert data["mode"] == "watch" and data["target"].endswith(f"{name}.py")


def test_healthy_script_raises_no_alarm(watched):
    data = watched["healthy"]
    alarms = [(d["cause"], d["confidence"]) for d in data["diagnoses"]
              if d["confidence"] >= 0.5 and d["cause"] != "actually_decreasing"]
    assert alarms == []
    found = watch_findings(data)
    # The run was really watched: 100 steps, in the right order, in train mode, shuffled.
    assert found["steps"] == 100 and found["stopped"] == "steps"
    assert found["train_step.grads_accumulate"] is False
    assert found["train_step.eval_forward_fraction"] == 0
    assert found["data.sampler_shuffles"] is True
    assert found["gradients.optimizer_coverage"] == 1.0
    assert found["events"][1] == ["zero_grad", "forward", "backward", "step"]
    assert len(found["train"]["losses"]) == 100      # the same curve shape as a short run and a log
    assert found["curve.val_points"] >= 2      # the validation passes under no_grad
    assert data["setup"]["optimizer"] == "Adam" and data["setup"]["loss"] == "CrossEntropyLoss"


def alarms(data: dict) -> list:
    return [(d["cause"], d["confidence"]) for d in data["diagnoses"]
            if d["confidence"] >= 0.5 and d["cause"] != "actually_decreasing"]


@pytest.mark.parametrize("name", ["healthy_closure", "healthy_val_grad", "healthy_in_model_norm"])
def test_other_healthy_scripts_raise_no_alarm(watched, name):
    data = watched[name]
    assert alarms(data) == []
    found = watch_findings(data)
    assert found["steps"] == 100 and found["stopped"] == "steps"
    assert found["train_step.stale_grad_at_step"] is False and found["train_step.empty_grad_at_step"] is False
    assert found["train_step.eval_forward_fraction"] == 0


def test_a_backward_inside_step_closure_belongs_to_that_step(watched):
    """opt.step(closure) runs forward and backward inside step() (LBFGS, Lightning):
    the events of one iteration read forward, backward, then the step they feed."""
    found = watch_findings(watched["healthy_closure"])
    assert found["events"][1] == ["zero_grad", "forward", "backward", "step"]
    # The first step too, although the model's first forward ran inside it.
    assert found["events"][0][-1] == "step" and found["train_step.step_calls_per_call"] == 1.0


def test_lbfgs_with_its_line_search_raises_no_alarm():
    proc = run_watch("--format", "json", "--steps", "30", str(SCRIPTS / "healthy_closure.py"), "--optimizer", "lbfgs")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert alarms(data) == []
    found = watch_findings(data)
    assert found["steps"] == 30
    assert found["train_step.stale_grad_at_step"] is False and found["train_step.empty_grad_at_step"] is False
    # Several closure calls per LBFGS step (the line search), one step counted.
    assert found["events"][1].count("backward") > 1 and found["events"][1].count("step") == 1


def test_inputs_are_judged_as_the_first_weight_layer_sees_them(watched):
    """Raw 0-255 pixels, standardised inside forward() from registered buffers."""
    found = watch_findings(watched["healthy_in_model_norm"])
    assert found["data.input_scaled_in_model"] is True and found["data.raw_pixels"] is False
    assert 0.5 < found["data.input_rms"] < 2


def test_validation_forwards_without_no_grad_are_not_training(watched):
    """The validation loop runs in eval mode with gradients enabled, on more
    batches than training: no backward reaches those forwards and no step
    follows them, so none is counted as a training forward."""
    found = watch_findings(watched["healthy_val_grad"])
    assert found["train_step.eval_forward_fraction"] == 0 and found["eval_mode_steps"] == 0


def test_all_parameters_frozen_is_not_a_loop_order_mistake(watched):
    data = watched["frozen_all"]
    causes = [d["cause"] for d in data["diagnoses"] if d["confidence"] >= 0.5]
    assert causes == ["params_not_updated"]
    found = watch_findings(data)
    assert found["train_step.empty_grad_at_step"] is False and found["train_step.stale_grad_at_step"] is False
    assert found.get("train_step.eval_forward_fraction", 0) == 0


def test_loop_mistakes_are_seen_as_they_happen(watched):
    assert watch_findings(watched["missing_zero_grad"])["train_step.grads_accumulate"] is True
    assert watch_findings(watched["step_before_backward"])["train_step.empty_grad_at_step"] is True
    eval_mode = watch_findings(watched["eval_mode"])
    assert eval_mode["train_step.eval_forward_fraction"] >= 0.5
    assert eval_mode["eval_mode_from_step"] > 0       # it trained in train mode until the first evaluation
    frozen = watch_findings(watched["frozen_params"])
    assert frozen["gradients.optimizer_coverage"] < 0.05
    assert frozen["gradients.unchanged_fraction"] > 0.9
    assert watch_findings(watched["unshuffled"])["data.sampler_shuffles"] is False


def test_device_error_names_both_devices(watched):
    data = watched["device_mismatch"]
    line = data["diagnoses"][0]["evidence"][0]
    assert "cuda" in line.lower() and "cpu" in line
    assert watch_findings(data)["stopped"] == "error"


def test_arguments_after_the_script_reach_it():
    # --steps after the script is the script's own option, not the watch's.
    proc = run_watch("--format", "json", "--steps", "50", str(SCRIPTS / "benchmark.py"), "--steps", "7",
                     "--width", "32", "--batch-size", "16")
    assert proc.returncode == 0, proc.stderr
    found = watch_findings(json.loads(proc.stdout))
    assert found["steps"] == 7 and found["stopped"] == "ended"
    assert found["argv"] == ["--steps", "7", "--width", "32", "--batch-size", "16"]


def test_unknown_script_option_is_the_scripts_error(cli):
    started = time.monotonic()
    result = cli("watch", "--quiet", str(SCRIPTS / "benchmark.py"), "--lang", "ja")
    assert result.code == 2
    assert "unrecognized arguments: --lang ja" in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert time.monotonic() - started < 60


BAD_SCRIPTS = {
    "no_torch.py": ("print('hello')\n", "never imported torch"),
    "exits.py": ("import sys\nimport torch\nsys.exit(3)\n", "exited with status 3 before training"),
    "no_backward.py": ("import torch\nmodel = torch.nn.Linear(3, 1)\nfor _ in range(4):\n    model(torch.randn(2, 3))\n",
                       "never called backward()"),
    "raises.py": ("import torch\nopen('data/train.csv')\n", "raised FileNotFoundError"),
    "syntax.py": ("import torch\nx = (\n", "syntax error at line 2"),
}


@pytest.mark.parametrize("name", sorted(BAD_SCRIPTS))
def test_bad_script_one_line_exit_2(cli, tmp_path, name):
    source, expected = BAD_SCRIPTS[name]
    script = tmp_path / name
    script.write_text(source)
    started = time.monotonic()
    result = cli("watch", "--quiet", "--lang", "en", str(script))
    assert result.code == 2, result.out
    assert expected in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert result.out == ""
    assert time.monotonic() - started < 60


def test_missing_script(cli, tmp_path):
    result = cli("watch", "--lang", "en", str(tmp_path / "train.py"))
    assert result.code == 2 and "no such file" in result.err


def test_messages_in_japanese(cli, tmp_path):
    script = tmp_path / "no_torch.py"
    script.write_text("print('hello')\n")
    result = cli("watch", "--quiet", "--lang", "ja", str(script))
    assert result.code == 2 and "torchを一度もimportしませんでした" in result.err


def test_a_script_that_never_steps_is_stopped_by_the_wall_clock(cli, tmp_path):
    script = tmp_path / "forever.py"
    script.write_text("import time\nimport torch\nwhile True:\n    time.sleep(0.05)\n")
    started = time.monotonic()
    result = cli("watch", "--quiet", "--lang", "en", "--timeout", "6", str(script))
    assert result.code == 2
    assert "no optimizer step" in result.err and "6 s" in result.err
    assert time.monotonic() - started < 30


def test_a_script_that_swallows_the_stop_is_killed(cli, tmp_path, monkeypatch):
    from loss_advisor.watch import launch

    monkeypatch.setattr(launch, "GRACE", 1.0)
    script = tmp_path / "stubborn.py"
    script.write_text("import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
                      "    except BaseException:\n        pass\n")
    started = time.monotonic()
    result = cli("watch", "--quiet", "--lang", "en", "--timeout", "1", str(script))
    assert result.code == 2 and "did not import torch within 1 s" in result.err
    assert time.monotonic() - started < 15     # the limit, then SIGTERM and SIGKILL one grace period apart


def test_lazy_layers_and_schedulers_created_after_the_first_forward(cli, tmp_path):
    """The model is adopted after its first forward (lazy layers have no shape
    before it), and an LR scheduler built on a watched optimizer still wraps its step."""
    script = tmp_path / "lazy.py"
    script.write_text(
        "import torch\n"
        "torch.manual_seed(0)\n"
        "model = torch.nn.Sequential(torch.nn.LazyLinear(32), torch.nn.ReLU(), torch.nn.Linear(32, 3))\n"
        "x, y = torch.randn(256, 10), torch.randint(0, 3, (256,))\n"
        "model(x[:2])\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "sched = torch.optim.lr_scheduler.SequentialLR(opt, [torch.optim.lr_scheduler.LinearLR(opt, 0.1, 1.0, 5),\n"
        "    torch.optim.lr_scheduler.StepLR(opt, 10)], milestones=[5])\n"
        "loss_fn = torch.nn.CrossEntropyLoss()\n"
        "for epoch in range(5):\n"
        "    for i in range(0, 256, 32):\n"
        "        opt.zero_grad()\n"
        "        loss_fn(model(x[i:i + 32]), y[i:i + 32]).backward()\n"
        "        opt.step()\n"
        "        sched.step()\n")
    result = cli("watch", "--quiet", "--format", "json", "--lang", "en", "--steps", "30", str(script))
    assert result.code == 0, result.err
    found = watch_findings(json.loads(result.out))
    assert found["steps"] == 30 and not any(note.startswith("internal") for note in
                                            json.loads(result.out)["probes"][0].get("notes", []))
    assert found["gradients.layers"] == 2 and found["train_step.grads_accumulate"] is False


def test_then_probe_adds_probes_and_keeps_the_watched_findings():
    proc = run_watch("--format", "json", "--then-probe", "--probes", "gradients,overfit_batch", "--steps", "40",
                     str(SCRIPTS / "frozen_params.py"))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    probes = {p["name"]: p for p in data["probes"]}
    assert {"watch", "gradients", "overfit_batch"} <= set(probes)
    assert probes["gradients"]["status"] == "ok" and probes["overfit_batch"]["status"] == "ok"
    # The probes' factory hands every parameter to a fresh optimizer; the
    # script's own optimizer held 3% of them, and that is what is judged.
    assert probes["gradients"]["findings"]["optimizer_coverage"] == 1.0
    # Their curves and tables cross from the watched process intact (typed records, not their repr).
    assert isinstance(probes["gradients"]["findings"]["layers"], list)
    curve = probes["overfit_batch"]["findings"]["user_curve"]
    assert len(curve["steps"]) == len(curve["losses"]) > 0
    assert data["session"]["observations"]["gradients.optimizer_coverage"] < 0.05
    assert data["diagnoses"][0]["cause"] == "params_not_updated"


def test_public_api_and_markdown_report():
    from loss_advisor.pipeline.producers import all_declared
    from loss_advisor.watch import watch_record
    from loss_advisor.surfaces.watch_cli import build_result
    from loss_advisor.surfaces.report import render_markdown

    records = watch_record(str(SCRIPTS / "missing_zero_grad.py"), ["--lr", "0.01"], steps=30, lang="ja")
    assert [r.name for r in records] == ["watch"]
    watch = records[0]
    assert watch.steps == 30 and watch.details["argv"] == ["--lr", "0.01"]
    assert watch.observations["train_step.grads_accumulate"] is True
    assert len(watch.details["train"]["losses"]) == 30
    assert any("30" in note for note in watch.notes)
    # What the watch produces is what the knowledge base can read: declared names only.
    assert sorted(set(watch.observations) - set(all_declared())) == []
    result = build_result(records, "ja", "missing_zero_grad.py")
    assert result.ranked()[0].cause == "missing_zero_grad"
    markdown = render_markdown(result)
    assert "missing_zero_grad" in markdown and "watch" in markdown
