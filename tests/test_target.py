"""Loading the user's set-up: every way it goes wrong is one line and exit 2."""
from __future__ import annotations

import textwrap

import pytest

GOOD = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

def data(n=64):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 4, generator=g)
    return TensorDataset(x, (x[:, 0] > 0).long())
"""


def write(tmp_path, body: str, name="setup.py"):
    path = tmp_path / name
    path.write_text(GOOD + textwrap.dedent(body), encoding="utf-8")
    return path


def check_usage_error(cli, spec: str, *fragments: str):
    result = cli("probe", spec, "--lang", "en", "--quiet")
    assert result.code == 2, result.out + result.err
    first = result.err.strip().splitlines()[0]
    assert first.startswith("loss-advisor: ")
    for fragment in fragments:
        assert fragment in result.err, result.err
    assert "Traceback" not in result.err
    assert result.out == ""


def test_no_such_file(cli, tmp_path):
    check_usage_error(cli, f"{tmp_path}/missing.py:target", "no such file")


def test_bad_spec(cli):
    check_usage_error(cli, "just_a_name", "FILE.py:FUNC")


def test_no_such_function(cli, tmp_path):
    path = write(tmp_path, "def make():\n    return {}\n")
    check_usage_error(cli, f"{path}:target", "has no function 'target'", "make")


def test_no_such_module(cli):
    check_usage_error(cli, "no_such_package.module:target", "no module named")


def test_syntax_error(cli, tmp_path):
    path = write(tmp_path, "def target(:\n    pass\n")
    check_usage_error(cli, f"{path}:target", "syntax error at line")


def test_function_raises_shows_user_frames(cli, tmp_path):
    path = write(tmp_path, """
        def helper():
            raise ValueError("cannot find the CSV")
        def target():
            return helper()
    """)
    result = cli("probe", f"{path}:target", "--quiet")
    assert result.code == 2
    assert "raised ValueError: cannot find the CSV" in result.err.splitlines()[0]
    assert "setup.py" in result.err and "in helper" in result.err


def test_missing_key(cli, tmp_path):
    path = write(tmp_path, """
        def target():
            return {"model": nn.Linear(4, 2), "loss_fn": nn.CrossEntropyLoss()}
    """)
    check_usage_error(cli, f"{path}:target", "lacks 'optimizer', 'train_data'")


def test_unknown_key(cli, tmp_path):
    path = write(tmp_path, """
        def target():
            return {"model": nn.Linear(4, 2), "loss_fn": nn.CrossEntropyLoss(), "optimiser": None,
                    "optimizer": lambda p: torch.optim.SGD(p, lr=0.1), "train_data": DataLoader(data())}
    """)
    check_usage_error(cli, f"{path}:target", "unknown key(s) 'optimiser'")


def test_model_of_the_wrong_type(cli, tmp_path):
    path = write(tmp_path, """
        def target():
            return {"model": [nn.Linear(4, 2)], "loss_fn": nn.CrossEntropyLoss(),
                    "optimizer": lambda p: torch.optim.SGD(p, lr=0.1), "train_data": DataLoader(data())}
    """)
    check_usage_error(cli, f"{path}:target", "'model' must be a torch.nn.Module, got list")


def test_optimizer_instance_instead_of_factory(cli, tmp_path):
    path = write(tmp_path, """
        def target():
            m = nn.Linear(4, 2)
            return {"model": m, "loss_fn": nn.CrossEntropyLoss(),
                    "optimizer": torch.optim.SGD(m.parameters(), lr=0.1), "train_data": DataLoader(data())}
    """)
    check_usage_error(cli, f"{path}:target", "must be a factory", "lambda params: torch.optim.SGD")


def test_data_with_no_batches(cli, tmp_path):
    path = write(tmp_path, """
        def target():
            return {"model": nn.Linear(4, 2), "loss_fn": nn.CrossEntropyLoss(),
                    "optimizer": lambda p: torch.optim.SGD(p, lr=0.1), "train_data": []}
    """)
    check_usage_error(cli, f"{path}:target", "train_data yielded no batches")


def test_batches_that_are_not_pairs(cli, tmp_path):
    path = write(tmp_path, """
        def target():
            x = torch.randn(32, 4)
            batches = [(x, (x[:, 0] > 0).long(), torch.ones(32))]
            return {"model": nn.Linear(4, 2), "loss_fn": nn.CrossEntropyLoss(),
                    "optimizer": lambda p: torch.optim.SGD(p, lr=0.1), "train_data": batches}
    """)
    check_usage_error(cli, f"{path}:target", "a tuple of 3 items", "split_batch")


def test_one_shot_iterator(cli, tmp_path):
    path = write(tmp_path, """
        def target():
            gen = ((x.unsqueeze(0), y.unsqueeze(0)) for x, y in data())
            return {"model": nn.Linear(4, 2), "loss_fn": nn.CrossEntropyLoss(),
                    "optimizer": lambda p: torch.optim.SGD(p, lr=0.1), "train_data": gen}
    """)
    check_usage_error(cli, f"{path}:target", "one-shot iterator")


def test_iterable_that_empties_after_one_pass(cli, tmp_path):
    path = write(tmp_path, """
        class Once:
            def __init__(self):
                self.used = False
            def __iter__(self):
                if self.used:
                    return iter(())
                self.used = True
                return iter([(torch.randn(8, 4), torch.zeros(8, dtype=torch.long))])
        def target():
            return {"model": nn.Linear(4, 2), "loss_fn": nn.CrossEntropyLoss(),
                    "optimizer": lambda p: torch.optim.SGD(p, lr=0.1), "train_data": Once()}
    """)
    check_usage_error(cli, f"{path}:target", "only once")


def test_dict_batches_work_through_split_batch(cli, tmp_path):
    path = write(tmp_path, """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
            def forward(self, features, mask):
                return self.fc(features * mask)
        def target():
            x = torch.randn(64, 4)
            batches = [{"features": x[i:i + 16], "mask": torch.ones(16, 4), "label": (x[i:i + 16, 0] > 0).long()}
                       for i in range(0, 64, 16)]
            return {"model": Net(), "loss_fn": nn.CrossEntropyLoss(),
                    "optimizer": lambda p: torch.optim.Adam(p, lr=1e-2), "train_data": batches,
                    "split_batch": lambda b: ({"features": b["features"], "mask": b["mask"]}, b["label"])}
    """)
    import json
    result = cli("probe", f"{path}:target", "--format", "json", "--quiet", "--probes", "data,init_loss,lr_sweep,short_run")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert {p["name"]: p["status"] for p in data["probes"]} == {
        "data": "ok", "init_loss": "ok", "lr_sweep": "ok", "short_run": "ok"}


def test_module_spec(cli):
    import json
    result = cli("probe", "loss_advisor.examples.demo:target", "--format", "json", "--quiet", "--probes", "data")
    assert result.code == 0 and json.loads(result.out)["probes"][0]["name"] == "data"


def test_unknown_probe_name(cli):
    result = cli("probe", "loss_advisor.examples.demo:target", "--probes", "lr_sweeep", "--quiet")
    assert result.code == 2 and "unknown probe(s): lr_sweeep" in result.err


# --- the keys of today's training (CONTRACT.md section 2, extended) -------------------------------

MULTILABEL = """
        def target():
            g = torch.Generator().manual_seed(0)
            x = torch.randn(96, 4, generator=g)
            y = torch.stack([(x[:, 0] > 0), (x[:, 1] > 0), (x[:, 0] + x[:, 1] > 0)], 1).float()
            return {"model": nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3)),
                    "loss_fn": nn.BCEWithLogitsLoss(), "task": "multilabel",
                    "optimizer": lambda p: torch.optim.Adam(p, lr=1e-2),
                    "train_data": DataLoader(TensorDataset(x, y), batch_size=16){extra}}
"""


def probe_json(cli, spec: str, probes: str = "data,init_loss,gradients") -> dict:
    import json
    result = cli("probe", spec, "--format", "json", "--lang", "en", "--quiet", "--probes", probes)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_multilabel_task_is_accepted(cli, tmp_path):
    path = write(tmp_path, MULTILABEL.replace("{extra}", ""))
    data = probe_json(cli, f"{path}:target")
    assert {p["name"]: p["status"] for p in data["probes"]} == {"data": "ok", "init_loss": "ok", "gradients": "ok"}
    assert data["setup"]["task"] == "multilabel"


@pytest.mark.parametrize("task", ["sequence", "language_modeling"])
def test_sequence_tasks_with_ignore_index_are_accepted(cli, tmp_path, task):
    path = write(tmp_path, f"""
        class Tagger(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(20, 8)
                self.out = nn.Linear(8, 5)
            def forward(self, tokens):
                return self.out(self.emb(tokens))          # (B, T, C)
        def target():
            g = torch.Generator().manual_seed(0)
            tokens = torch.randint(1, 20, (64, 7), generator=g)
            tags = tokens % 5
            tags[:, 5:] = -100                             # padding
            return {{"model": Tagger(), "task": {task!r}, "ignore_index": -100,
                    "loss_fn": lambda out, y: nn.functional.cross_entropy(out.flatten(0, 1), y.flatten(),
                                                                        ignore_index=-100),
                    "optimizer": lambda p: torch.optim.Adam(p, lr=1e-2),
                    "train_data": DataLoader(TensorDataset(tokens, tags), batch_size=16)}}
    """)
    data = probe_json(cli, f"{path}:target")
    assert all(p["status"] in ("ok", "skipped") for p in data["probes"]), data["probes"]
    # -100 marks padding: no class, and no invalid class index.
    found = next(p for p in data["probes"] if p["name"] == "data")["findings"]
    assert found["target_min"] == 0 and found["num_classes"] == 5
    assert "invalid_targets" not in [d["cause"] for d in data["diagnoses"] if d["confidence"] >= 0.5]


def test_padding_value_from_the_target_the_loss_or_the_default():
    from types import SimpleNamespace

    from torch import nn

    from loss_advisor.probes.data import padding_value

    assert padding_value(SimpleNamespace(ignore_index=0, loss_fn=nn.CrossEntropyLoss())) == 0
    assert padding_value(SimpleNamespace(ignore_index=None, loss_fn=nn.CrossEntropyLoss(ignore_index=-1))) == -1
    assert padding_value(SimpleNamespace(ignore_index=None, loss_fn=lambda out, y: out)) == -100


def test_scheduler_keys_are_accepted(cli, tmp_path):
    extra = (', "scheduler": lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5), '
             '"scheduler_interval": "step"')
    path = write(tmp_path, MULTILABEL.replace("{extra}", extra))
    data = probe_json(cli, f"{path}:target", "data,init_loss,short_run")
    assert {p["name"]: p["status"] for p in data["probes"]} == {"data": "ok", "init_loss": "ok", "short_run": "ok"}
    assert data["setup"]["scheduler"] == "StepLR" and data["setup"]["scheduler_interval"] == "step"


@pytest.mark.parametrize("extra, fragment", [
    (', "ignore_index": "pad"', "'ignore_index' must be an integer"),
    (', "scheduler_interval": "batch"', "'scheduler_interval' must be one of step, epoch"),
    (', "scheduler": 0.5', "'scheduler' must be a factory"),
    (', "scheduler": lambda opt: 1 / 0', "the scheduler factory failed: ZeroDivisionError"),
])
def test_bad_new_keys_are_one_line(cli, tmp_path, extra, fragment):
    path = write(tmp_path, MULTILABEL.replace("{extra}", extra))
    check_usage_error(cli, f"{path}:target", fragment)


def test_a_scheduler_instance_instead_of_a_factory(cli, tmp_path):
    path = write(tmp_path, """
        def target():
            m = nn.Linear(4, 2)
            opt = torch.optim.SGD(m.parameters(), lr=0.1)
            return {"model": m, "loss_fn": nn.CrossEntropyLoss(),
                    "optimizer": lambda p: torch.optim.SGD(p, lr=0.1), "train_data": DataLoader(data()),
                    "scheduler": torch.optim.lr_scheduler.StepLR(opt, step_size=1)}
    """)
    check_usage_error(cli, f"{path}:target", "'scheduler' must be a factory", "not a scheduler")


def _harness(scheduler, interval, batches=4, val=False):
    import torch
    from torch import nn

    from loss_advisor.probing.harness import Harness
    from loss_advisor.probing.target import Target

    g = torch.Generator().manual_seed(0)
    data = [(torch.randn(8, 4, generator=g), torch.randint(0, 2, (8,), generator=g)) for _ in range(batches)]
    target = Target(model=nn.Linear(4, 2), loss_fn=nn.CrossEntropyLoss(),
                    optimizer=lambda p: torch.optim.SGD(p, lr=1.0), train_data=data,
                    val_data=data[:1] if val else None, scheduler=scheduler, scheduler_interval=interval)
    return Harness(target, "cpu")


@pytest.mark.parametrize("interval, steps, expected", [("step", 6, 0.5 ** 6), ("epoch", 10, 0.5 ** 2)])
def test_reference_training_steps_the_scheduler_per_interval(interval, steps, expected):
    import torch

    h = _harness(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5), interval)
    model = h.fresh_model()
    built = h.build_optimizer(model)
    # Built with the optimizer only when a reference training runs, so probes
    # that never step a scheduler keep the user's rate.
    assert built.optimizer.param_groups[0]["lr"] == 1.0
    h.train(model, built.optimizer, steps)
    # 4 batches an epoch: 10 steps cross two epoch ends.
    assert built.optimizer.param_groups[0]["lr"] == pytest.approx(expected)
    # A fresh optimizer gets a fresh scheduler.
    other = h.build_optimizer(h.fresh_model()).optimizer
    assert h.scheduler_for(other) is not h.scheduler_for(built.optimizer)


def test_reduce_on_plateau_is_fed_a_loss():
    import torch

    h = _harness(lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5), "step")
    model = h.fresh_model()
    opt = h.build_optimizer(model).optimizer
    run = h.train(model, opt, 8)
    assert len(run.losses) == 8 and opt.param_groups[0]["lr"] <= 1.0
