"""Nothing lost: after a full probe run the user's objects are exactly as before."""
from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from loss_advisor.pipeline.runner import run_probes
from loss_advisor.probing.target import from_object


def make_setup(train_step=None):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))
    model.eval()                          # the user left it in eval mode: that must survive too
    model[0].weight.grad = torch.full_like(model[0].weight, 0.5)   # and a stale gradient
    x = torch.randn(256, 8)
    y = (x[:, 0] + x[:, 1] > 0).long() + (x[:, 2] > 1).long()
    gen = torch.Generator().manual_seed(123)
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, generator=gen)
    return {"model": model, "loss_fn": nn.CrossEntropyLoss(),
            "optimizer": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
            "train_data": loader, "val_data": DataLoader(TensorDataset(x[:64], y[:64]), batch_size=64),
            "train_step": train_step}


def step(model, batch, optimizer, loss_fn):
    x, y = batch
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss


def test_full_probe_run_leaves_the_model_bit_identical():
    setup = make_setup(train_step=step)
    model = setup["model"]
    state = {k: v.clone() for k, v in model.state_dict().items()}
    modes = {n: m.training for n, m in model.named_modules()}
    grads = {n: None if p.grad is None else p.grad.clone() for n, p in model.named_parameters()}
    flags = {n: p.requires_grad for n, p in model.named_parameters()}
    random.seed(7)
    np.random.seed(7)
    torch.manual_seed(7)
    rng = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state().clone())
    loader_gen = setup["train_data"].generator.get_state().clone()
    threads = torch.get_num_threads()

    outcome = run_probes(from_object(setup), budget="fast")

    assert outcome.restored
    assert {r.name for r in outcome.records if r.status == "ok"} >= {"lr_sweep", "overfit_batch", "short_run", "train_step"}
    after = model.state_dict()
    assert state.keys() == after.keys()
    for key, value in state.items():
        assert torch.equal(value, after[key]), key         # bit-identical weights and buffers
    assert {n: m.training for n, m in model.named_modules()} == modes
    for n, p in model.named_parameters():
        assert p.requires_grad == flags[n]
        assert (p.grad is None) == (grads[n] is None) and (p.grad is None or torch.equal(p.grad, grads[n]))
    assert random.getstate() == rng[0]
    assert np.array_equal(np.random.get_state()[1], rng[1])
    assert torch.equal(torch.get_rng_state(), rng[2])
    assert torch.equal(setup["train_data"].generator.get_state(), loader_gen)
    assert torch.get_num_threads() == threads


def test_the_optimizer_factory_is_left_untouched():
    calls = []

    def factory(params):
        calls.append(1)
        return torch.optim.Adam(params, lr=1e-3)
    setup = make_setup()
    setup["optimizer"] = factory
    run_probes(from_object(setup), probes=["lr_sweep"])
    assert calls and factory.__defaults__ is None and factory.__closure__ is not None
    # A factory that closes over the user's model must not let probes train it.
    model = setup["model"]
    before = {k: v.clone() for k, v in model.state_dict().items()}
    setup["optimizer"] = lambda p: torch.optim.SGD(model.parameters(), lr=1.0)
    run_probes(from_object(setup), probes=["overfit_batch", "short_run"])
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_runs_repeat_exactly():
    a = run_probes(from_object(make_setup()), probes=["lr_sweep", "short_run"]).observations
    b = run_probes(from_object(make_setup()), probes=["lr_sweep", "short_run"]).observations
    assert a == b


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_probing_on_cuda_leaves_a_cpu_model_on_the_cpu():
    setup = make_setup()
    outcome = run_probes(from_object(setup), device="cuda", probes=["init_loss", "lr_sweep"])
    assert outcome.device.startswith("cuda")
    assert all(p.device.type == "cpu" for p in setup["model"].parameters())


def _state_of(model, opt):
    return ({k: v.clone() for k, v in model.state_dict().items()},
            {n: m.training for n, m in model.named_modules()},
            {n: (p.requires_grad, None if p.grad is None else p.grad.clone()) for n, p in model.named_parameters()},
            {i: {k: (v.clone() if isinstance(v, torch.Tensor) else v) for k, v in opt.state[p].items()}
             for i, p in enumerate(model.parameters()) if p in opt.state},
            [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups])


def _assert_same(before, model, opt):
    state, modes, params, opt_state, groups = before
    after = model.state_dict()
    assert state.keys() == after.keys()
    for key, value in state.items():
        assert torch.equal(value, after[key]), key
    assert {n: m.training for n, m in model.named_modules()} == modes
    for n, p in model.named_parameters():
        flag, grad = params[n]
        assert p.requires_grad == flag, n
        assert (p.grad is None) == (grad is None) and (p.grad is None or torch.equal(p.grad, grad)), n
    now = {i: opt.state[p] for i, p in enumerate(model.parameters()) if p in opt.state}
    assert now.keys() == opt_state.keys()
    for i, saved in opt_state.items():
        assert now[i].keys() == saved.keys()
        for k, v in saved.items():
            assert torch.equal(now[i][k], v) if isinstance(v, torch.Tensor) else now[i][k] == v, (i, k)
    assert [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups] == groups


def test_in_place_probes_restore_everything_bit_for_bit(monkeypatch):
    """Probes train the user's model itself (no copy: deepcopy of a module
    raises here) and the snapshot puts back weights, buffers, gradients,
    requires_grad flags, train/eval modes, the user's own optimizer (which
    the factory hands out, with its Adam state), and every RNG -- with the
    snapshot spilled to a file (the test above runs it in memory, the
    default for a model this small)."""
    monkeypatch.setenv("LOSS_ADVISOR_SPILL_MB", "0")

    def no_copies(self, memo):
        raise AssertionError("a probe deep-copied the user's model")
    monkeypatch.setattr(nn.Module, "__deepcopy__", no_copies, raising=False)
    setup = make_setup(train_step=step)
    model = setup["model"]
    model[0].bias.requires_grad_(False)        # a frozen tensor stays frozen
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    model.train()
    for x, y in list(setup["train_data"])[:3]:     # a live optimizer: Adam state, step counts
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()
    setup["optimizer"] = lambda params: opt     # the user's own optimizer, as some scripts pass it
    setup["scheduler"] = lambda o: torch.optim.lr_scheduler.StepLR(o, 5, gamma=0.5)
    setup["train_step"] = None
    before = _state_of(model, opt)
    random.seed(3)
    np.random.seed(3)
    torch.manual_seed(3)
    rng = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state().clone())

    seen = []
    from loss_advisor.probing import harness as harness_module
    original = harness_module.Harness.fresh_model

    def spy(self, keep_mode=False):
        got = original(self, keep_mode)
        seen.append(got is model)
        return got
    monkeypatch.setattr(harness_module.Harness, "fresh_model", spy)

    outcome = run_probes(from_object(setup), budget="fast")

    assert outcome.restored
    errors = {r.name: r.message for r in outcome.records if r.status == "error"}
    assert not errors
    assert {r.name for r in outcome.records if r.status == "ok"} >= {
        "gradients", "lr_sweep", "overfit_batch", "short_run", "batch_noise", "capacity", "regularization", "labels"}
    assert seen and all(seen)          # every probe got the user's model itself
    _assert_same(before, model, opt)
    assert random.getstate() == rng[0]
    assert np.array_equal(np.random.get_state()[1], rng[1])
    assert torch.equal(torch.get_rng_state(), rng[2])


def test_spilled_snapshot_round_trips_every_dtype(monkeypatch):
    from loss_advisor.probing.safety import Snapshot

    class Mixed(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Parameter(torch.randn(5, 3, dtype=torch.float64))
            self.b = nn.Parameter(torch.randn(7).to(torch.bfloat16))
            self.register_buffer("flags", torch.tensor([True, False, True]))
            self.register_buffer("count", torch.tensor(12345678901, dtype=torch.int64))   # 0-dim
            self.register_buffer("empty", torch.zeros(0, 4))
            self.register_buffer("strided", torch.arange(12.0).reshape(3, 4).t())        # not contiguous
    m = Mixed()
    m.a.grad = torch.randn(5, 3, dtype=torch.float64)
    saved = {k: v.clone() for k, v in m.state_dict().items()}
    grad = m.a.grad.clone()
    snap = Snapshot(m, limit=0)
    assert snap.spilled
    with torch.no_grad():
        for t in m.state_dict().values():
            if t.numel():
                t.copy_(torch.zeros_like(t))
    m.a.grad = None
    m.b.requires_grad_(False)
    assert snap.changed()
    snap.restore()
    assert not snap.changed()
    for k, v in m.state_dict().items():
        assert v.dtype == saved[k].dtype and torch.equal(v, saved[k]), k
    assert torch.equal(m.a.grad, grad) and m.b.requires_grad
    snap.close()


def test_a_train_step_with_autocast_and_gradscaler_is_audited_as_written_and_its_scaler_restored():
    """The user's own step keeps its autocast and GradScaler (bfloat16 on the
    CPU here; CUDA float16 has the same shape): it is called as written, the
    audit finds nothing wrong with it, and the scaler's scale and growth
    tracker come back exactly as they were."""
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=2)

    def amp_step(model, batch, optimizer, loss_fn):
        x, y = batch
        model.train()
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = model(x)
        loss = loss_fn(out.float(), y)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        return loss.detach()

    setup = make_setup(train_step=amp_step)
    model = setup["model"]
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for x, y in list(setup["train_data"])[:3]:     # the scaler has grown and tracks growth
        amp_step(model, (x, y), opt, setup["loss_fn"])
    model.eval()
    scale, tracker = scaler.get_scale(), scaler._growth_tracker.clone()
    state = {k: v.clone() for k, v in model.state_dict().items()}

    outcome = run_probes(from_object(setup), probes=["train_step"])

    record = next(r for r in outcome.records if r.name == "train_step")
    assert record.status == "ok", record.message
    obs = record.observations
    assert obs["train_step.error"] == ""
    assert obs["train_step.user_drop"] > 0                  # it trained, as written
    assert not obs["train_step.grads_accumulate"] and not obs["train_step.stale_grad_at_step"]
    assert not obs["train_step.empty_grad_at_step"]
    assert obs["train_step.step_calls_per_call"] == 1.0       # GradScaler.step reached the optimizer each call
    assert not obs.get("train_step.eval_forward_fraction")
    assert scaler.get_scale() == scale and torch.equal(scaler._growth_tracker, tracker)
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in state.items())


def test_every_intervention_leaves_the_user_s_objects_bit_identical(monkeypatch):
    """The paired runs (issue 13) train the user's model in place with every
    mechanism: another rate, re-initialised weights, Dropout lifted, float32,
    every parameter trainable, the reference step... and the model, the
    user's optimizer, the Dropout rates, dtypes and every RNG come back as
    they were, with no copy of the model made."""
    from loss_advisor.pipeline.runner import Stage
    from loss_advisor.core.records import ProbeRecord
    from loss_advisor.probes.interventions import MECHANISMS, Interventions, Plan, Sizes

    def no_copies(self, memo):
        raise AssertionError("an intervention deep-copied the user's model")
    monkeypatch.setattr(nn.Module, "__deepcopy__", no_copies, raising=False)
    setup = make_setup(train_step=step)
    model = setup["model"]
    model[0].bias.requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    setup["optimizer"] = lambda params: opt
    setup["scheduler"] = lambda o: torch.optim.lr_scheduler.StepLR(o, 3, gamma=0.5)
    before = _state_of(model, opt)
    dropout = model[3].p
    dtypes = {n: p.dtype for n, p in model.named_parameters()}
    random.seed(5)
    np.random.seed(5)
    torch.manual_seed(5)
    rng = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state().clone())
    outcomes = {}

    def every_mechanism(harness, observations, cancelled):
        plans = [Plan(f"cause_{m}", m, ("dead_relu", "inputs_ignored", "vanishing_gradients")) for m in MECHANISMS]
        runs = Interventions(harness, {"lr_sweep.suggested_lr": 1e-2}, Sizes(len(plans), 20, 2, 60.0))
        outcomes.update(runs.run(plans))
        return ProbeRecord("interventions", "ok")

    outcome = run_probes(from_object(setup), probes=["data"],
                         after=Stage("interventions", every_mechanism, limit=120.0))

    assert outcome.restored
    assert [r.name for r in outcome.records][-1] == "interventions"
    assert set(outcomes) == {f"cause_{m}" for m in MECHANISMS}
    ran = [c for c, o in outcomes.items() if o.get("seeds")]
    # all but the three that do not apply here (targets already shaped, no final activation, no padding)
    assert len(ran) == len(MECHANISMS) - 3, {c: o.get("reason") for c, o in outcomes.items()}
    _assert_same(before, model, opt)
    assert model[3].p == dropout
    assert {n: p.dtype for n, p in model.named_parameters()} == dtypes
    assert random.getstate() == rng[0]
    assert np.array_equal(np.random.get_state()[1], rng[1])
    assert torch.equal(torch.get_rng_state(), rng[2])


def test_a_probe_abandoned_mid_step_never_steps_the_model_after_it_is_put_back(monkeypatch):
    """In place, a probe the runner stopped waiting for is still in its thread:
    when its slow forward pass returns after the run has ended, it must not
    step the user's model (the harness is closed) -- the weights stay as
    they came in."""
    import threading
    import time as _time

    monkeypatch.setenv("LOSS_ADVISOR_PROBE_TIMEOUT", "1.0")
    released = threading.Event()

    class Slow(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
            self.calls = 0

        def forward(self, x):
            self.calls += 1
            if self.calls == 12 and torch.is_grad_enabled():
                released.wait(10)                   # held until the run has returned
            return self.net(x)

    setup = make_setup()
    setup["model"] = model = Slow()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    outcome = run_probes(from_object(setup), probes=["lr_sweep"])
    assert next(r for r in outcome.records if r.name == "lr_sweep").message_key == "probes.timed_out"
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in state.items())
    released.set()                                   # the abandoned step now finishes its forward pass
    _time.sleep(0.5)
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in state.items())
