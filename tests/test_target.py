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
