"""Today's training, measured (issue 14): a misconfigured learning-rate
schedule, mixed precision, gradient accumulation and clipping.

Each fault is diagnosed first through the JSON, as a target
(`loss-advisor probe ... --format json`) and as an unchanged script
(`loss-advisor watch --format json`); the healthy modern set-ups (a tiny
transformer with warmup and cosine, bfloat16 autocast, accumulation with
the loss divided, clipping at max_norm=1.0) raise no alarm either way.
The monitor itself is tested on small loops: what it records, that it
restores what it wrapped, and that it never breaks the user's code.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch
from torch import nn

from conftest import EXAMPLES, ROOT
from test_watch import run_watch

from loss_advisor.probing.setupwatch import SetupMonitor, eps_lost, schedule_observations, summarise

SCRIPTS = ROOT / "examples" / "scripts"

TARGETS = {
    "schedule_per_batch": "lr_schedule_misconfigured",
    "schedule_zero_early": "lr_schedule_misconfigured",
    "fp16_no_scaler": "mixed_precision_misconfigured",
    "half_model_adam": "mixed_precision_misconfigured",
    "accumulation_not_divided": "accumulation_not_scaled",
    "clipping_too_strong": "gradient_clipping_too_strong",
}
HEALTHY_TARGETS = ["healthy_warmup_transformer", "healthy_bf16", "healthy_accumulation", "healthy_clipping"]
SCRIPT_FAULTS = {
    "schedule_per_batch": "lr_schedule_misconfigured",
    "scaler_bypassed": "mixed_precision_misconfigured",
    "scaler_no_update": "mixed_precision_misconfigured",
    "fp16_no_scaler": "mixed_precision_misconfigured",
    "accumulation_not_divided": "accumulation_not_scaled",
    "zero_grad_in_accumulation": "accumulation_not_scaled",
    "clipping_too_strong": "gradient_clipping_too_strong",
}
HEALTHY_SCRIPTS = ["healthy_warmup_transformer", "healthy_bf16", "healthy_accumulation", "healthy_clipping"]
# What tests/test_examples.py and tests/test_watch.py leave to this file.
ALL_TARGETS = set(TARGETS) | set(HEALTHY_TARGETS)
ALL_SCRIPTS = set(SCRIPT_FAULTS) | set(HEALTHY_SCRIPTS)


def alarms(data: dict) -> list[str]:
    return [d["cause"] for d in data["diagnoses"] if d["confidence"] >= 0.5 and d["cause"] != "actually_decreasing"]


@pytest.fixture(scope="module")
def probed_targets() -> dict[str, dict]:
    """Every target probed once (full suite, fast budget), two at a time."""
    import subprocess
    import sys

    def probe(name: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "loss_advisor", "probe", f"{EXAMPLES / name}.py:target",
                               "--format", "json", "--lang", "en", "--quiet"],
                              capture_output=True, text=True, timeout=300, cwd=ROOT)

    names = sorted(TARGETS) + HEALTHY_TARGETS
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(zip(names, pool.map(probe, names)))
    out = {}
    for name, proc in done.items():
        assert proc.returncode == 0, f"{name}: {proc.stderr[-2000:]}"
        out[name] = json.loads(proc.stdout)
    return out


@pytest.fixture(scope="module")
def watched() -> dict[str, dict]:
    names = sorted(SCRIPT_FAULTS) + HEALTHY_SCRIPTS
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(zip(names, pool.map(
            lambda n: run_watch("--format", "json", str(SCRIPTS / f"{n}.py")), names)))
    out = {}
    for name, proc in done.items():
        assert proc.returncode == 0, f"{name}: {proc.stderr[-2000:]}"
        out[name] = json.loads(proc.stdout)
    return out


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_target_fault_is_diagnosed_first(probed_targets, name):
    data = probed_targets[name]
    top = data["diagnoses"][0]
    assert top["cause"] == TARGETS[name], [(d["cause"], d["confidence"]) for d in data["diagnoses"][:4]]
    assert top["confidence"] >= 0.5
    assert any("measured" in line for line in top["evidence"])


# Target faults whose diagnosis the paired run confirms (issue 13): the
# schedule removed, float32 with the reference step, the reference step
# (no accumulation, no clipping). half_model_adam is left out: float16 steps on a
# CPU are slow, and under load the paired run's time plan fits too few steps for
# a verdict ("inconclusive", both losses None, seen on a shared 2-core machine).
CONFIRMED_TARGETS = ["schedule_per_batch", "accumulation_not_divided", "clipping_too_strong", "half_model_adam"]


@pytest.mark.parametrize("name", CONFIRMED_TARGETS)
def test_target_fault_is_confirmed_by_its_intervention(probed_targets, name):
    top = probed_targets[name]["diagnoses"][0]
    assert top["cause"] == TARGETS[name]
    assert (top.get("intervention") or {}).get("verdict") == "confirmed", top.get("intervention")


@pytest.mark.parametrize("name", HEALTHY_TARGETS)
def test_healthy_modern_target_raises_no_alarm(probed_targets, name):
    data = probed_targets[name]
    assert alarms(data) == [], [(d["cause"], d["confidence"]) for d in data["diagnoses"][:4]]
    assert [d["cause"] for d in data["diagnoses"] if (d.get("intervention") or {}).get("verdict") == "confirmed"] == []
    assert data["verdict"]["kind"] != "diagnosed"
    assert all(p["status"] in ("ok", "skipped") for p in data["probes"])


@pytest.mark.parametrize("name", sorted(SCRIPT_FAULTS))
def test_script_fault_is_diagnosed_first(watched, name):
    data = watched[name]
    top = data["diagnoses"][0]
    assert top["cause"] == SCRIPT_FAULTS[name], [(d["cause"], d["confidence"]) for d in data["diagnoses"][:4]]
    assert top["confidence"] >= 0.5


@pytest.mark.parametrize("name", HEALTHY_SCRIPTS)
def test_healthy_modern_script_raises_no_alarm(watched, name):
    data = watched[name]
    assert alarms(data) == [], [(d["cause"], d["confidence"]) for d in data["diagnoses"][:4]]
    assert data["verdict"]["kind"] != "diagnosed"


def test_the_watch_reads_what_each_healthy_script_does(watched):
    """The quiet answers are measured, not missing: each healthy script's own set-up is read."""
    def findings(name):
        return next(p for p in watched[name]["probes"] if p["name"] == "watch")["findings"]
    assert findings("healthy_bf16")["step_setup.autocast_dtype"] == "bfloat16"
    assert findings("healthy_accumulation")["step_setup.micro_steps"] == 4
    assert findings("healthy_accumulation")["step_setup.loss_scale_times_micro"] == pytest.approx(1.0)
    assert findings("healthy_clipping")["step_setup.clipped_fraction"] < 0.5
    warm = findings("healthy_warmup_transformer")
    assert warm["schedule.scheduler"] == "LambdaLR" and warm["schedule.stepped_per_batch"] is True
    assert warm["schedule.start_over_peak"] < 0.5 and "schedule.collapse_step" not in warm


# --- the monitor on small loops ---------------------------------------------------------------------

def _loop(steps=4, micro=1, divide=True, clip=None, zero_inside=False, scaler=False, dtype=None):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()
    grad_scaler = torch.amp.GradScaler("cpu") if scaler else None
    monitor = SetupMonitor(every=1)
    monitor.watch_params(model.parameters())
    hooks = [opt.register_step_pre_hook(lambda o, a, k: monitor.before_step(o)),
             opt.register_step_post_hook(lambda o, a, k: monitor.after_step(o)),
             model.register_forward_pre_hook(lambda m, a: monitor.on_forward())]
    x, y = torch.randn(8, 4), torch.randint(0, 2, (8,))
    with monitor:
        for _ in range(steps):
            for _ in range(micro):
                if zero_inside:
                    opt.zero_grad()
                with torch.autocast("cpu", dtype=dtype or torch.bfloat16, enabled=dtype is not None):
                    loss = loss_fn(model(x), y)
                monitor.on_loss(loss)
                loss = loss / micro if divide else loss
                (grad_scaler.scale(loss) if scaler else loss).backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            if scaler:
                grad_scaler.step(opt)
                grad_scaler.update()
            else:
                opt.step()
            sched.step()
            opt.zero_grad()
    for h in hooks:
        h.remove()
    return summarise(monitor.series(), steps_per_epoch=steps * micro)


def test_monitor_restores_everything_it_wraps():
    originals = (torch.nn.utils.clip_grad_norm_, torch.nn.utils.clip_grad.clip_grad_value_, torch.autograd.backward,
                 torch.amp.GradScaler.step, torch.optim.lr_scheduler.LRScheduler.step)
    with SetupMonitor():
        assert torch.nn.utils.clip_grad_norm_ is not originals[0]
    assert (torch.nn.utils.clip_grad_norm_, torch.nn.utils.clip_grad.clip_grad_value_, torch.autograd.backward,
            torch.amp.GradScaler.step, torch.optim.lr_scheduler.LRScheduler.step) == originals


def test_monitor_reads_accumulation_and_its_loss_scaling():
    divided = _loop(micro=4)
    assert divided["step_setup.micro_steps"] == 4
    assert divided["step_setup.loss_scale_times_micro"] == pytest.approx(1.0)
    assert divided["step_setup.zeroed_inside_fraction"] == 0.0
    summed = _loop(micro=4, divide=False)
    assert summed["step_setup.loss_scale_times_micro"] == pytest.approx(4.0)
    assert _loop(micro=4, zero_inside=True)["step_setup.zeroed_inside_fraction"] == 1.0
    assert _loop()["step_setup.micro_steps"] == 1


def test_monitor_takes_the_grad_scalers_factor_out():
    found = _loop(micro=2, scaler=True, dtype=torch.float16)
    assert found["step_setup.scaler_used"] is True and found["step_setup.scaler_step_fraction"] == 1.0
    assert found["step_setup.loss_scale_times_micro"] == pytest.approx(1.0)
    assert found["step_setup.autocast_dtype"] == "float16"


def test_monitor_reads_clipping_and_the_schedule():
    found = _loop(steps=6, clip=1e-4)
    assert found["step_setup.clipped_fraction"] == 1.0 and found["step_setup.clip_ratio_median"] < 0.01
    assert _loop(steps=6, clip=1e6)["step_setup.clipped_fraction"] == 0.0
    # StepLR(1, 0.5) per step: 1, 0.5, 0.25, ... reaches 1% (0.0078) at the 7th step: not within 6.
    assert found["schedule.scheduler"] == "StepLR" and found["schedule.stepped_per_batch"] is True
    assert "schedule.collapse_step" not in found
    assert _loop(steps=8)["schedule.collapse_step"] == 7


def test_schedule_observations_ignore_warmup_and_read_epochs():
    warm = [0.1 * (i + 1) for i in range(10)] + [1.0] * 10
    found = schedule_observations(warm, steps_per_epoch=10, collapse_ratio=0.01)
    assert "schedule.collapse_step" not in found and found["schedule.start_over_peak"] == pytest.approx(0.1)
    collapsing = [1.0, 0.1, 0.01, 0.001]
    found = schedule_observations(collapsing, steps_per_epoch=40, collapse_ratio=0.01)
    assert found["schedule.collapse_step"] == 2 and found["schedule.collapse_epochs"] == pytest.approx(0.05)
    assert found["schedule.recovers"] is False
    restarts = [1.0, 0.5, 0.005, 1.0, 0.5, 0.005]       # warm restarts: down to 0.5%, then back up
    assert schedule_observations(restarts, steps_per_epoch=60, collapse_ratio=0.01)["schedule.recovers"] is True


def test_adams_eps_is_lost_in_float16_only():
    assert eps_lost(1e-8, "float16") is True
    assert eps_lost(1e-8, "bfloat16") is False and eps_lost(1e-8, "float32") is False
    assert eps_lost(1e-4, "float16") is False


def test_a_failing_hook_never_reaches_the_users_code():
    monitor = SetupMonitor()
    monitor._cur = None                  # every hook that reads the current step now fails inside
    monitor.on_scheduler_step(object())
    monitor.before_backward(torch.ones((), requires_grad=True))
    assert len(monitor.errors) == 2 and all("TypeError" in e for e in monitor.errors)


def test_the_new_probes_leave_the_users_objects_and_torch_as_they_were():
    """schedule and step_setup run the user's factories and own step on
    copies: the model, its GradScaler and torch's wrapped functions come back
    exactly as they were."""
    from loss_advisor.pipeline.runner import run_probes
    from loss_advisor.probing.target import from_object

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=2)
    x, y = torch.randn(64, 4), torch.randint(0, 2, (64,))
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8)

    def step(model, batch, optimizer, loss_fn):
        inputs, targets = batch
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = loss_fn(model(inputs).float(), targets)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        return loss.detach()

    state = {k: v.clone() for k, v in model.state_dict().items()}
    scale = scaler.get_scale()
    originals = (torch.nn.utils.clip_grad_norm_, torch.autograd.backward, torch.amp.GradScaler.step,
                 torch.optim.lr_scheduler.LRScheduler.step)
    setup = {"model": model, "loss_fn": nn.CrossEntropyLoss(), "train_data": data, "train_step": step,
             "optimizer": lambda params: torch.optim.SGD(params, lr=0.1),
             "scheduler": lambda opt: torch.optim.lr_scheduler.StepLR(opt, 3), "scheduler_interval": "epoch"}
    outcome = run_probes(from_object(setup), probes=["schedule", "step_setup"])
    records = {r.name: r for r in outcome.records}
    assert records["schedule"].status == "ok" and records["step_setup"].status == "ok", records
    found = records["step_setup"].observations
    assert found["step_setup.clipped_fraction"] < 0.5 or found["step_setup.clip_ratio_median"] > 0.1
    assert found["step_setup.scaler_step_fraction"] == 1.0 and found["step_setup.clip_before_unscale_fraction"] == 0.0
    assert "schedule.collapse_step" not in records["schedule"].observations      # per epoch: 3 epochs per x0.1
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in state.items())
    assert scaler.get_scale() == scale
    assert (torch.nn.utils.clip_grad_norm_, torch.autograd.backward, torch.amp.GradScaler.step,
            torch.optim.lr_scheduler.LRScheduler.step) == originals


def test_monitor_reads_the_two_step_clipping_api_once():
    """get_total_norm + clip_grads_with_norm_ (what Accelerate, hence the
    Hugging Face Trainer, calls) is read like clip_grad_norm_, which itself
    calls clip_grads_with_norm_ and must not be counted twice."""
    from torch.nn.utils import clip_grads_with_norm_, get_total_norm

    model = nn.Linear(3, 2)
    monitor = SetupMonitor(every=1)
    with monitor:
        for two_step in (False, True):
            model(torch.randn(4, 3)).sum().backward()
            if two_step:
                norm = get_total_norm([p.grad for p in model.parameters()])
                torch.nn.utils.clip_grads_with_norm_(model.parameters(), 0.01, norm)
            else:
                torch.nn.utils.clip_grad_norm_(model.parameters(), 0.01)
            monitor.after_step(torch.optim.SGD(model.parameters(), lr=0.1))
            model.zero_grad()
    assert [len(s["clips"]) for s in monitor.series()["steps"]] == [1, 1]
    assert torch.nn.utils.clip_grads_with_norm_ is clip_grads_with_norm_
