"""The probe runner and the JSON surface of CONTRACT.md section 4."""
from __future__ import annotations

import json

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from loss_advisor.pipeline.api import diagnose_target
from loss_advisor.probing.target import from_object


class Picky(nn.Module):
    """Works on batches of 32 only: every probe that changes the batch size fails."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        if x.shape[0] != 32:
            raise RuntimeError(f"expected 32 rows, got {x.shape[0]}")
        return self.fc(x)


def picky_setup():
    torch.manual_seed(0)
    x = torch.randn(256, 4)
    return {"model": Picky(), "loss_fn": nn.CrossEntropyLoss(),
            "optimizer": lambda p: torch.optim.Adam(p, lr=1e-2),
            "train_data": DataLoader(TensorDataset(x, (x[:, 0] > 0).long()), batch_size=32, shuffle=True)}


def test_a_failing_probe_never_stops_the_others():
    result = diagnose_target(from_object(picky_setup()), lang="en")
    status = {p.name: p for p in result.probes}
    assert status["overfit_batch"].status == "error"
    assert "expected 32 rows, got 16" in status["overfit_batch"].message
    assert "\n" not in status["overfit_batch"].message
    assert status["lr_sweep"].status == "ok" and status["short_run"].status == "ok"


def test_json_follows_the_contract(cli):
    result = cli("probe", "loss_advisor.examples.demo:target", "--format", "json", "--quiet")
    assert result.code == 0
    data = json.loads(result.out)
    assert set(data) >= {"diagnoses", "probes"}
    confidences = [d["confidence"] for d in data["diagnoses"]]
    assert confidences == sorted(confidences, reverse=True)
    for d in data["diagnoses"]:
        assert set(d) >= {"cause", "confidence", "evidence", "remedies"}
        assert 0.0 <= d["confidence"] <= 1.0
        assert all(isinstance(e, str) for e in d["evidence"]) and all(isinstance(r, str) for r in d["remedies"])
    for p in data["probes"]:
        assert set(p) >= {"name", "status", "seconds", "findings"}
        assert p["status"] in ("ok", "skipped", "error")
        assert p["status"] != "error" or p.get("message")
    assert data["diagnoses"][0]["cause"] == "inputs_not_normalized"


def test_progress_goes_to_stderr_and_json_stays_clean(cli):
    result = cli("probe", "loss_advisor.examples.demo:target", "--format", "json", "--probes", "data,init_loss")
    json.loads(result.out)
    assert "data" in result.err


def test_both_languages(cli):
    ja = cli("probe", "loss_advisor.examples.demo:target", "--lang", "ja", "--quiet", "--probes", "data,init_loss")
    en = cli("probe", "loss_advisor.examples.demo:target", "--lang", "en", "--quiet", "--probes", "data,init_loss")
    assert "診断" in ja.out and "正規化" in ja.out
    assert "Diagnoses" in en.out and "normalised" in en.out


def test_python_api_renders_markdown():
    import loss_advisor
    setup = picky_setup()
    setup["model"] = nn.Linear(4, 2)
    result = loss_advisor.diagnose(**setup, probes=["data", "init_loss"], lang="en")
    md = result._repr_markdown_()
    assert md.startswith("# ") and result.to_dict()["probes"][0]["name"] == "data"


def test_every_observation_a_probe_emits_is_declared_as_data():
    """The declarations in probes/declared.py (read torch-free by `kb check` and
    the report) must cover what the probes really emit."""
    from loss_advisor.pipeline.producers import all_declared
    from loss_advisor.pipeline.runner import run_probes
    from loss_advisor.probes import ALL_PROBES
    from loss_advisor.probes.declared import DECLARED
    from loss_advisor.probing.target import load_target

    assert [p.observations for p in ALL_PROBES] == [DECLARED[p.name] for p in ALL_PROBES]
    declared = set(all_declared())
    outcome = run_probes(load_target("loss_advisor.examples.demo:target"), budget="fast")
    emitted = {name for record in outcome.records for name in record.observations}
    assert len(emitted) > 50
    assert sorted(emitted - declared) == []


def test_out_of_memory_inside_a_probe_is_a_finding_that_names_the_batch(tmp_path, cli):
    """torch.OutOfMemoryError (simulated on CPU: the model raises it on the
    learning-rate sweep's larger steps) fails that probe with the batch size
    named; the run completes with exit 0 and valid JSON."""
    import json
    import textwrap

    path = tmp_path / "oom.py"
    path.write_text(textwrap.dedent('''
        import torch
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = nn.Linear(4, 3)
                self.calls = 0

            def forward(self, x):
                self.calls += 1
                if self.calls > 3:
                    raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
                return self.net(x)

        def target():
            x = torch.randn(128, 4)
            y = (x[:, 0] > 0).long()
            return {"model": Model(), "loss_fn": nn.CrossEntropyLoss(),
                    "optimizer": lambda p: torch.optim.SGD(p, lr=0.1),
                    "train_data": DataLoader(TensorDataset(x, y), batch_size=32)}
    '''))
    result = cli("probe", f"{path}:target", "--probes", "data,init_loss,gradients,lr_sweep", "--format", "json",
                 "--quiet", "--lang", "en")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    failed = [p for p in data["probes"] if p["status"] == "error"]
    assert failed and all("ran out of GPU memory at batch size 32" in p["message"] for p in failed)
    assert data["verdict"]["kind"] != "healthy"
