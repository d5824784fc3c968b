"""Where users already train: Lightning's and Hugging Face's Trainer.

The example scripts that train through either Trainer are diagnosed two ways,
end to end on CPU, and must agree: watched unchanged (`loss-advisor watch
--format json`), and run with the callback (`--loss-advisor json --report
PATH`). Healthy runs raise no alarm; the faulty ones give their cause first.
Then what the callbacks promise: importing them loads neither library, a
missing library names the extra, and a run with a callback that diagnoses
mid-way trains bit for bit as the same run without it.

Tiny models built from config objects, generated or bundled data, nothing
downloaded (HF_HUB_OFFLINE=1). The scripts run as separate processes, two
at a time.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ROOT

SCRIPTS = ROOT / "examples" / "scripts"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false",
       "LOSS_ADVISOR_LANG": "en"}
# Example -> (its script, the script's arguments, the expected top cause; None: healthy).
EXAMPLES = {
    "lightning_healthy": ("lightning_healthy", ["--epochs", "3"], None),
    "lightning_lr_too_high": ("lightning_lr_too_high", ["--epochs", "3"], "lr_too_high"),
    "hf_trainer_healthy": ("hf_trainer_healthy", ["--max-steps", "100"], None),
    "hf_trainer_bert_healthy": ("hf_trainer_healthy", ["--model", "bert"], None),
    "hf_trainer_frozen": ("hf_trainer_frozen", ["--max-steps", "100"], "params_not_updated"),
}
NEEDS = {"lightning": "lightning", "hf": "transformers"}


def installed(module: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is not None


def library(name: str) -> str:
    return NEEDS[name.split("_")[0]]


# Lightning and transformers are optional extras: a plain install may lack them
# and skips these tests. `make test` installs the dev extra and sets
# LOSS_ADVISOR_REQUIRE_EXTRAS=1, so there (and in CI) a missing one fails.
REQUIRED = bool(os.environ.get("LOSS_ADVISOR_REQUIRE_EXTRAS"))


def needs(name: str):
    return pytest.mark.skipif(not REQUIRED and not installed(library(name)),
                              reason=f"{library(name)} is not installed (an optional extra; `make test` requires it)")


def require(package: str) -> None:
    """needs() inside a test parametrized over both libraries."""
    if not installed(package):
        if REQUIRED:
            pytest.fail(f"{package} is not installed, and this run requires the optional extras")
        pytest.skip(f"{package} is not installed (an optional extra; `make test` requires it)")


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *command], capture_output=True, text=True, timeout=300, cwd=SCRIPTS,
                          env=ENV)


def the_json(stdout: str) -> dict:
    """The one JSON object the callback printed (the trainers print their own lines too)."""
    start = stdout.index('{\n  "verdict"')
    return json.JSONDecoder().raw_decode(stdout[start:])[0]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Every example, watched and run with its callback, two processes at a time;
    once per test session, even when pytest-xdist's workers (`make test` runs
    two) each get some of these tests: the first to arrive runs them under a
    file lock, the other reads what it left."""
    import fcntl

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent                    # the folder every worker's own one sits in
    folder = shared / "integrations"
    folder.mkdir(exist_ok=True)
    saved = folder / "runs.json"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not saved.exists():
            jobs = {}
            for name, (script, args, _) in EXAMPLES.items():
                if not installed(library(name)):
                    continue
                jobs[f"watch:{name}"] = ("-m", "loss_advisor", "watch", "--quiet", "--format", "json",
                                         f"{script}.py", *args)
                jobs[f"callback:{name}"] = (f"{script}.py", *args, "--loss-advisor", "json", "--report",
                                            str(folder / f"{name}.md"))
            with ThreadPoolExecutor(max_workers=2) as pool:
                done = dict(zip(jobs, pool.map(lambda command: run(*command), jobs.values())))
            saved.write_text(json.dumps({k: [p.returncode, p.stdout, p.stderr] for k, p in done.items()}),
                             encoding="utf-8")
    procs = {tuple(k.split(":", 1)): subprocess.CompletedProcess([], code, out, err)
             for k, (code, out, err) in json.loads(saved.read_text(encoding="utf-8")).items()}
    return {"procs": procs, "reports": folder}


def top_causes(data: dict) -> list[tuple[str, float]]:
    return [(d["cause"], d["confidence"]) for d in data["diagnoses"][:4]]


def alarms(data: dict) -> list[tuple[str, float]]:
    return [(d["cause"], d["confidence"]) for d in data["diagnoses"]
            if d["confidence"] >= 0.5 and d["cause"] != "actually_decreasing"]


def findings(data: dict) -> dict:
    return next(p for p in data["probes"] if p["name"] == "watch")["findings"]


def watched(runs, name) -> dict:
    proc = runs["procs"][("watch", name)]
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def by_callback(runs, name) -> dict:
    proc = runs["procs"][("callback", name)]
    assert '{\n  "verdict"' in proc.stdout, proc.stderr[-3000:]
    return the_json(proc.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["watch", "callback"])
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_is_diagnosed_the_same_both_ways(runs, name, how):
    require(library(name))
    data = watched(runs, name) if how == "watch" else by_callback(runs, name)
    expected = EXAMPLES[name][2]
    if expected is None:
        assert alarms(data) == [], top_causes(data)
        assert data["verdict"]["kind"] == "healthy", data["verdict"]
    else:
        assert data["diagnoses"][0]["cause"] == expected, top_causes(data)
        assert data["diagnoses"][0]["confidence"] >= 0.5
    assert data["mode"] == ("watch" if how == "watch" else "callback")


@pytest.mark.slow
@needs("lightning_healthy")
def test_lightning_steps_closures_validation_and_in_model_normalisation(runs):
    """Lightning runs forward and backward inside optimizer.step(closure), validates
    in eval mode without gradients, and this model standardises its own inputs."""
    for data in (watched(runs, "lightning_healthy"), by_callback(runs, "lightning_healthy")):
        found = findings(data)
        assert found["train_step.step_calls_per_call"] == 1.0          # one step per iteration, none before backward
        assert found["train_step.eval_forward_fraction"] == 0.0        # validation is not training
        assert found["data.input_scaled_in_model"] is True
        assert found.get("val"), "the validation losses were recorded as validation"
    # 1437 training images in batches of 32: 45 steps an epoch, 3 epochs, every one recorded by the callback.
    assert findings(by_callback(runs, "lightning_healthy"))["steps"] == 135
    assert findings(watched(runs, "lightning_healthy"))["steps"] == 100        # the watch's --steps


@pytest.mark.slow
@needs("hf_trainer_healthy")
def test_hf_trainer_steps_evaluation_and_shuffling(runs):
    """The Trainer steps through accelerate's optimizer wrapper, evaluates under
    no_grad every 25 steps, and shuffles in its batch sampler."""
    for data in (watched(runs, "hf_trainer_healthy"), by_callback(runs, "hf_trainer_healthy")):
        found = findings(data)
        assert found["steps"] == 100 and found["backward_calls"] == 100
        assert found["train_step.step_calls_per_call"] == 1.0
        assert found["train_step.eval_forward_fraction"] == 0.0
        assert found["data.sampler_shuffles"] is True


@pytest.mark.slow
@needs("hf_trainer_bert_healthy")
def test_attention_query_and_key_gradients_are_not_vanishing(runs):
    """A BERT's query and key projections get second-order gradients at
    initialisation (each carries the other's small weights): the first layer's
    gradient is 1e-5 of the head's, yet AdamW moves it as much as the head
    (knowledge/tree.yaml, grad_flow_vanishing), and it learns."""
    for data in (watched(runs, "hf_trainer_bert_healthy"), by_callback(runs, "hf_trainer_bert_healthy")):
        found = findings(data)
        assert found["gradients.first_last_ratio"] <= 1e-3
        assert found["gradients.first_last_update_ratio"] >= 0.1
        assert found["curve.relative_drop"] >= 0.5
        assert "vanishing_gradients" not in [cause for cause, _ in alarms(data)]


@pytest.mark.slow
@needs("hf_trainer_bert_healthy")
def test_attention_query_and_key_gradients_are_not_vanishing_when_probed():
    """The same in probe mode: the gradients probe's one AdamW step moves the
    query projection two thirds as much as the head."""
    from loss_advisor.pipeline.api import diagnose_target
    from loss_advisor.probing.target import load_target

    result = diagnose_target(load_target(f"{SCRIPTS / 'hf_trainer_healthy.py'}:target"),
                             probes=["gradients"], device="cpu", lang="en")
    found = next(p for p in result.to_dict()["probes"] if p["name"] == "gradients")["findings"]
    assert found["first_last_ratio"] <= 1e-3 and found["first_last_update_ratio"] >= 0.1
    assert "vanishing_gradients" not in [cause for cause, _ in alarms(result.to_dict())]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_callback_writes_the_markdown_report(runs, name):
    require(library(name))
    data = by_callback(runs, name)
    report = (runs["reports"] / f"{name}.md").read_text(encoding="utf-8")
    assert report.startswith("# loss-advisor")
    assert f"**Verdict: {data['verdict']['kind']}**" in report
    assert "recorded by the loss-advisor callback" in report
    assert f"python {EXAMPLES[name][0]}.py" in report                  # how to run it again
    if EXAMPLES[name][2]:
        assert EXAMPLES[name][2] in report


@pytest.mark.slow
@needs("hf_trainer_frozen")
def test_an_error_in_training_is_diagnosed_on_demand(runs):
    """The HF Trainer has no hook for errors: the script asks the callback for its
    diagnosis in its own except clause, and the error is part of it."""
    proc = runs["procs"][("callback", "hf_trainer_frozen")]
    assert proc.returncode != 0 and "does not require grad" in proc.stderr     # the script's own error, re-raised
    data = the_json(proc.stdout)
    assert any("does not require grad" in line for line in data["verdict"]["reasons"])


# --- what the callbacks promise ---------------------------------------------------------------

def test_importing_the_integrations_loads_no_trainer_library():
    code = ("import sys, loss_advisor.integrations, loss_advisor.integrations.lightning, "
            "loss_advisor.integrations.huggingface\n"
            "print(sorted(m for m in ('torch', 'lightning', 'pytorch_lightning', 'transformers') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=ENV)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.parametrize("module, hidden, extra", [
    ("huggingface", ["transformers"], "huggingface"),
    ("lightning", ["lightning", "lightning.pytorch", "pytorch_lightning"], "lightning"),
])
def test_a_missing_library_names_the_extra(monkeypatch, module, hidden, extra):
    import importlib

    integration = importlib.import_module(f"loss_advisor.integrations.{module}")
    monkeypatch.setattr(integration, "_built", {})
    for name in hidden:
        monkeypatch.setitem(sys.modules, name, None)     # import fails as if not installed
    with pytest.raises(ImportError, match=rf"pip install 'loss-advisor\[{extra}\]'"):
        integration.LossAdvisorCallback
    with pytest.raises(AttributeError):
        integration.NoSuchThing


def test_the_sampler_is_read_through_a_batch_sampler():
    """A loader built with a batch_sampler keeps a SequentialSampler that draws
    nothing; accelerate's loaders (the HF Trainer's) shuffle in the batch sampler."""
    import torch
    from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset

    from loss_advisor.probes.data import DataProbe

    ds = TensorDataset(torch.zeros(10, 2))
    assert DataProbe.sampler_shuffles(DataLoader(ds, batch_size=2, shuffle=True)) is True
    assert DataProbe.sampler_shuffles(DataLoader(ds, batch_size=2)) is False
    assert DataProbe.sampler_shuffles(DataLoader(ds, batch_sampler=BatchSampler(RandomSampler(ds), 2, False))) is True
    assert DataProbe.sampler_shuffles(DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 2, False))) \
        is False
    assert DataProbe.sampler_shuffles(DataLoader(ds, batch_sampler=[[0, 1], [2, 3]])) is None


def _lightning_fit(callback):
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    try:
        import lightning as L
    except ImportError:
        import pytorch_lightning as L

    class Module(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))

        def training_step(self, batch, batch_idx):
            x, y = batch
            return nn.functional.cross_entropy(self.net(x), y)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=1e-2)

    torch.manual_seed(0)
    x, y = torch.randn(256, 8), torch.randint(0, 3, (256,))
    model = Module()
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    trainer = L.Trainer(max_epochs=2, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, callbacks=[callback] if callback else [])
    trainer.fit(model, loader)
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.mark.slow
@needs("lightning_healthy")
def test_lightning_training_is_unchanged_by_the_callback(tmp_path, capsys):
    """A diagnosis mid-run (steps=5) builds small modules of its own, which draws
    random numbers: the rest of training (shuffling, dropout) must not notice."""
    import torch

    from loss_advisor.integrations.lightning import LossAdvisorCallback

    original_backward = torch.autograd.backward
    plain = _lightning_fit(None)
    callback = LossAdvisorCallback(format=None, steps=5, report=tmp_path / "r.md")
    watched_ = _lightning_fit(callback)
    assert plain.keys() == watched_.keys()
    assert all(torch.equal(plain[k], watched_[k]) for k in plain), "training changed under the callback"
    assert callback.result is not None and findings(callback.result.to_dict())["steps"] == 5
    assert (tmp_path / "r.md").exists()
    assert torch.autograd.backward is original_backward          # the recorder's hooks are gone
    assert capsys.readouterr().out.count('"verdict"') == 0       # format=None prints nothing
    try:
        import pytorch_lightning
        assert isinstance(callback, pytorch_lightning.Callback)   # either Trainer takes it
    except ImportError:
        pass


@pytest.mark.slow
@needs("hf_trainer_healthy")
def test_hf_training_is_unchanged_by_the_callback(tmp_path):
    import tempfile

    import torch
    from transformers import Trainer, TrainingArguments

    from loss_advisor.integrations.huggingface import LossAdvisorCallback

    sys.path.insert(0, str(SCRIPTS))
    try:
        from hf_trainer_healthy import Counting, build_model
    finally:
        sys.path.remove(str(SCRIPTS))

    def train(callbacks):
        torch.manual_seed(0)
        model = build_model()
        args = TrainingArguments(output_dir=tempfile.mkdtemp(dir=tmp_path), max_steps=12, per_device_train_batch_size=8,
                                 learning_rate=2e-3, warmup_steps=2, save_strategy="no", report_to=[], use_cpu=True,
                                 seed=0, disable_tqdm=True, logging_strategy="no")
        Trainer(model=model, args=args, train_dataset=Counting(128, seed=0), callbacks=callbacks).train()
        return {k: v.clone() for k, v in model.state_dict().items()}

    plain = train([])
    callback = LossAdvisorCallback(format=None, steps=4)
    watched_ = train([callback])
    assert all(torch.equal(plain[k], watched_[k]) for k in plain), "training changed under the callback"
    assert findings(callback.result.to_dict())["steps"] == 4
    with pytest.raises(ValueError, match="format"):
        LossAdvisorCallback(format="xml")


def test_every_callback_message_is_in_both_languages():
    from loss_advisor.core.i18n import catalogue

    keys = [k for k in catalogue() if k.startswith("integrations.")]
    assert keys and all(catalogue()[k].get("en") and catalogue()[k].get("ja") for k in keys)


@pytest.mark.slow
@needs("lightning_healthy")
def test_an_error_inside_lightning_training_is_diagnosed_and_passed_on(tmp_path):
    """Lightning's on_exception: the diagnosis names the error, the report is
    written in the chosen language, the hooks are removed, the error goes on."""
    import io

    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    try:
        import lightning as L
    except ImportError:
        import pytorch_lightning as L

    from loss_advisor.integrations.lightning import LossAdvisorCallback

    class Breaks(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(4, 2)

        def training_step(self, batch, batch_idx):
            if batch_idx == 3:
                raise ValueError("a batch the model cannot take")
            x, y = batch
            return nn.functional.cross_entropy(self.net(x), y)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    original_backward = torch.autograd.backward
    out = io.StringIO()
    callback = LossAdvisorCallback(lang="ja", stream=out, report=tmp_path / "r.md")
    loader = DataLoader(TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,))), batch_size=8)
    trainer = L.Trainer(max_epochs=1, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, callbacks=[callback])
    with pytest.raises(ValueError, match="cannot take"):
        trainer.fit(Breaks(), loader)
    assert "ValueError: a batch the model cannot take" in out.getvalue()
    assert "判定" in out.getvalue()                                               # Japanese, as asked
    notes = next(p for p in callback.result.to_dict()["probes"] if p["name"] == "watch")["notes"]
    assert notes[0].startswith("学習は 3 ステップ後にエラーで止まりました")
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# loss-advisor")
    assert torch.autograd.backward is original_backward
