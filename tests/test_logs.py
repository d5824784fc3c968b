"""`loss-advisor logs`: training logs as evidence (issue 7).

Every log here is a real file written by the real writer: plain CSV and
JSONL with the standard library, a Lightning-style sparse `metrics.csv`
(written as Lightning's CSVLogger writes it, with csv.DictWriter), and
TensorBoard event files written by `torch.utils.tensorboard.SummaryWriter`.
The curves are made to shape (seeded), one per symptom of the article's
monitoring section, plus healthy ones that must raise no alarm.

Two knowledge bases: the shipped one (which answers the symptom questions
from `curve.*` today), and a copy with docs/logs-kb-proposal.yaml applied
(new auto rules for log evidence; rules already merged are skipped, so
these tests keep passing after the merge).
"""
from __future__ import annotations

import csv
import json
import math
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

N = 1000
PROPOSAL = ROOT / "docs" / "logs-kb-proposal.yaml"


# --- curves, one per symptom ---------------------------------------------------------

def decay(i: int, start: float = 2.3, floor: float = 0.1, tau: float = 250) -> float:
    return (start - floor) * math.exp(-i / tau) + floor


def shape(name: str, seed: int = 0) -> dict:
    """{"train": [...], "val": {step: loss}, "lr": [...], "grad_norm": [...]} for one curve shape."""
    r = random.Random(f"{name}/{seed}")
    g = lambda s: math.exp(r.gauss(0, s))   # noqa: E731 - multiplicative noise, s in log
    if name == "healthy":
        return dict(train=[decay(i) * g(0.1) for i in range(N)],
                    val={i: decay(i, floor=0.15) * g(0.02) for i in range(0, N, 50)})
    if name == "healthy_small_batch":         # minibatch noise of a batch of 4
        return dict(train=[decay(i) * g(0.4) for i in range(N)],
                    val={i: decay(i, floor=0.15) * g(0.03) for i in range(0, N, 50)})
    if name == "healthy_near_zero":           # a loss near zero, relatively very noisy
        return dict(train=[(2.3 * math.exp(-i / 60) + 0.002) * g(0.6) for i in range(N)])
    if name == "healthy_step_schedule":       # MultiStepLR: most progress before the first cut
        lr = [0.1 if i < 400 else (0.01 if i < 700 else 0.001) for i in range(N)]
        train = []
        for i in range(N):
            if i < 400:
                base = decay(i, floor=0.6, tau=120)
            elif i < 700:
                base = 0.6 * (0.55 + 0.45 * math.exp(-(i - 400) / 20))
            else:
                base = 0.33 * (0.8 + 0.2 * math.exp(-(i - 700) / 20))
            train.append(base * g(0.1))
        return dict(train=train, lr=lr)
    if name == "healthy_warm_restarts":       # cosine with restarts: the loss jumps at each restart
        lr = [0.05 * (1 + math.cos(math.pi * (i % 250) / 250)) / 2 + 1e-4 for i in range(N)]
        return dict(train=[decay(i, floor=0.2, tau=200) * (1 + 0.5 * lr[i] / 0.05) * g(0.1) for i in range(N)], lr=lr)
    if name == "nan_at_600":
        return dict(train=[decay(i) * g(0.1) if i < 600 else float("nan") for i in range(N)])
    if name == "nan_from_start":
        return dict(train=[float("nan")] * N)
    if name == "blowup":                      # learns, then diverges
        return dict(train=[(decay(i) if i < 500 else decay(500) * math.exp((i - 500) / 60)) * g(0.1) for i in range(N)])
    if name == "blowup_below_start":          # halves, then climbs back most of the way (ends below its start)
        return dict(train=[(decay(i, tau=100) if i < 500 else decay(500, tau=100) * math.exp((i - 500) / 190)) * g(0.1)
                           for i in range(N)])
    if name == "blowup_at_start":             # jumps 40x in the first steps, never recovers its start
        return dict(train=[1.6] + [(60 * math.exp(-i / 30) + 1.2 + 0.4 * i / N) * g(0.2) for i in range(1, N)])
    if name == "flat":                        # per-batch spread of a frozen model measured 2% (real SGD at 1e-5)
        return dict(train=[2.3 * g(0.02) for _ in range(N)], val={i: 2.31 * g(0.01) for i in range(0, N, 50)})
    if name == "flat_noisy":                  # flat, with 5% per-batch spread (smaller batches)
        return dict(train=[2.3 * g(0.05) for _ in range(N)], val={i: 2.31 * g(0.01) for i in range(0, N, 50)})
    if name == "flat_tiny_lr":
        return dict(train=[2.3 * g(0.05) for _ in range(N)], lr=[1e-7] * N)
    if name == "slow_but_real":               # 15% over the run under 15% noise: looks flat
        return dict(train=[2.3 * (1 - 0.15 * i / N) * g(0.15) for i in range(N)])
    if name == "oscillating":                 # swings by 2x around a level that never falls
        return dict(train=[math.exp(0.8 * math.sin(2 * math.pi * i / 37)) * g(0.2) for i in range(N)])
    if name == "overfitting":                 # val bottoms out at 35%, then rises while train falls
        return dict(train=[decay(i, floor=0.02, tau=150) * g(0.1) for i in range(N)],
                    val={i: (0.6 + 1.7 * math.exp(-i / 120) + 0.6 * max(0, i - 350) / 650) * g(0.02)
                         for i in range(0, N, 25)})
    if name == "both_high":                   # falls 10%, stops; val just as high
        return dict(train=[(2.3 - 0.23 * (1 - math.exp(-i / 40))) * g(0.05) for i in range(N)],
                    val={i: 2.2 * g(0.01) for i in range(0, N, 25)})
    if name == "lr_cut_rescues":              # no progress at lr=0.5; falls once cut to 0.05 at step 500
        train = [(1.5 * math.exp(0.5 * math.sin(i / 3.0)) if i < 500 else decay(i - 500, 1.5, 0.2, 60)) * g(0.15)
                 for i in range(N)]
        return dict(train=train, lr=[0.5 if i < 500 else 0.05 for i in range(N)])
    if name == "exploding_then_nan":          # gradient norm climbs 1e4x, then the loss turns NaN
        grad = [1.0 * g(0.1) if i < 300 else math.exp((i - 300) / 35) * g(0.1) for i in range(N)]
        train = [decay(i) * g(0.1) if i < 620 else float("nan") for i in range(N)]
        return dict(train=train, grad_norm=grad)
    raise KeyError(name)


HEALTHY = ["healthy", "healthy_small_batch", "healthy_near_zero", "healthy_step_schedule", "healthy_warm_restarts"]


# --- writers -------------------------------------------------------------------------

def write_csv(path: Path, s: dict, names: dict | None = None) -> Path:
    names = {"step": "step", "train": "train_loss", "val": "val_loss", "lr": "lr", "grad_norm": "grad_norm",
             **(names or {})}
    cols = ["step", "train"] + [k for k in ("val", "lr", "grad_norm") if k in s]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([names[c] for c in cols])
        for i, loss in enumerate(s["train"]):
            row = [i, repr(loss)]
            if "val" in s:
                row.append(repr(s["val"][i]) if i in s["val"] else "")
            row += [repr(s[k][i]) for k in ("lr", "grad_norm") if k in s]
            w.writerow(row)
    return path


def write_lightning_csv(path: Path, s: dict, every: int = 10, steps_per_epoch: int = 100) -> Path:
    """As Lightning's CSVLogger writes metrics.csv: one row per log call,
    training and validation metrics on separate rows, blanks elsewhere."""
    rows = []
    for i, loss in enumerate(s["train"]):
        epoch = i // steps_per_epoch
        if i % every == every - 1:
            row = {"epoch": epoch, "step": i, "train_loss_step": loss}
            if "lr" in s:
                row["lr-SGD"] = s["lr"][i]
            rows.append(row)
        if i in s.get("val", {}):
            rows.append({"epoch": epoch, "step": i, "val_loss": s["val"][i]})
        if i % steps_per_epoch == steps_per_epoch - 1:
            chunk = [v for v in s["train"][i - steps_per_epoch + 1: i + 1]]
            rows.append({"epoch": epoch, "step": i, "train_loss_epoch": sum(chunk) / len(chunk)})
    fields = sorted({k for r in rows for k in r})
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return path


def write_jsonl(path: Path, s: dict) -> Path:
    with open(path, "w") as f:
        for i, loss in enumerate(s["train"]):
            rec = {"step": i, "train": {"loss": loss}}
            if i in s.get("val", {}):
                rec["val"] = {"loss": s["val"][i]}
            if "lr" in s:
                rec["lr"] = s["lr"][i]
            f.write(json.dumps(rec) + "\n")           # NaN is written as NaN, as json.dumps does
    return path


def write_tensorboard(folder: Path, s: dict) -> Path:
    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(str(folder))
    for i, loss in enumerate(s["train"]):
        w.add_scalar("Loss/train", loss, i)
        if i in s.get("val", {}):
            w.add_scalar("Loss/val", s["val"][i], i)
        if "lr" in s:
            w.add_scalar("lr", s["lr"][i], i)
        if "grad_norm" in s:
            w.add_scalar("grad_norm", s["grad_norm"][i], i)
    w.close()
    return folder


# --- knowledge bases and helpers -----------------------------------------------------

def apply_proposal(knowledge: Path) -> int:
    """Insert the proposal's rules into knowledge/tree.yaml (those not there yet)."""
    prop = yaml.safe_load(PROPOSAL.read_text(encoding="utf-8"))
    tree_file = knowledge / "tree.yaml"
    tree = yaml.safe_load(tree_file.read_text(encoding="utf-8"))
    questions = {q["id"]: q for q in tree["questions"]}
    added = 0
    for block in prop["additions"]:
        auto = questions[block["question"]].setdefault("auto", [])
        new = [r for r in block["rules"]
               if not any(r["when"] == old["when"] and r["answer"] == old["answer"] for old in auto)]
        at = len(auto)
        if "before_answer" in block:
            at = next(i for i, r in enumerate(auto) if r["answer"] == block["before_answer"])
        auto[at:at] = new
        added += len(new)
    tree_file.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return added


@pytest.fixture(scope="module")
def proposal_dir(tmp_path_factory):
    dest = tmp_path_factory.mktemp("kb") / "knowledge"
    shutil.copytree(ROOT / "knowledge", dest, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    apply_proposal(dest)
    return dest


@pytest.fixture(scope="module")
def proposal_kb(proposal_dir):
    from loss_advisor.core.kb import load_kb
    from loss_advisor.pipeline.producers import all_declared
    return load_kb(proposal_dir, declared_observations=set(all_declared()))


def diagnose(kb, path, lang="en", **cols):
    """(record, session) for a log, as the CLI builds them."""
    from loss_advisor.core.engine import Session
    from loss_advisor.logs import log_record

    record = log_record(path, lang=lang, **cols)
    session = Session(kb, lang)
    session.observe(record.observations, source="logs")
    return record, session


def answers(session) -> dict[str, str]:
    return {q: r.answer for q, r in session.answers().items()}


def alarms(session) -> list[tuple[str, float]]:
    return [(d.cause, d.confidence) for d in session.diagnoses()
            if d.confidence >= 0.5 and d.cause != "actually_decreasing"]


def one_line_error(result) -> str:
    assert result.code == 2, (result.code, result.out[-500:], result.err)
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("loss-advisor: ")
    return lines[0]


# --- the shipped knowledge base: symptom questions answered from the log -------------

SHIPPED = {
    "nan_at_600": {"q_symptom": "nan", "q_nan_when": "later"},
    "nan_from_start": {"q_symptom": "nan", "q_nan_when": "first"},
    "blowup": {"q_symptom": "erratic"},
    "blowup_at_start": {"q_symptom": "erratic"},
    "flat": {"q_symptom": "flat", "q_trend": "none"},
    "slow_but_real": {"q_symptom": "slow", "q_trend": "real"},
    "overfitting": {"q_symptom": "val_up", "q_train_val": "val_turns_up"},
    "healthy": {"q_symptom": "checkup", "q_train_val": "together"},
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_kb_answers_symptom_questions_from_a_csv_log(kb, tmp_path, name):
    record, session = diagnose(kb, write_csv(tmp_path / f"{name}.csv", shape(name)))
    got = answers(session)
    for q, a in SHIPPED[name].items():
        assert got.get(q) == a, (q, got)
        assert session.answers()[q].by_probe          # answered from the log, not asked


def test_nan_step_is_reported(kb, tmp_path):
    record, session = diagnose(kb, write_csv(tmp_path / "nan.csv", shape("nan_at_600")))
    assert record.observations["curve.nonfinite_step"] == 600
    assert record.observations["logs.nonfinite_count"] == 400
    top = session.diagnoses()[0]
    assert top.cause == "lr_too_high"            # later NaN: the rate before the data
    assert any("600" in c.text for c in top.evidence)


def test_slow_but_real_decrease_reassures(kb, tmp_path):
    _, session = diagnose(kb, write_csv(tmp_path / "slow.csv", shape("slow_but_real")))
    top = session.diagnoses()[0]
    assert top.cause == "actually_decreasing" and top.confidence >= 0.5
    assert alarms(session) == []


def test_overfitting_turn_is_found(kb, tmp_path):
    record, session = diagnose(kb, write_csv(tmp_path / "over.csv", shape("overfitting")))
    top = session.diagnoses()[0]
    assert top.cause == "overfitting" and top.confidence >= 0.5
    # the validation minimum is where the curve was made to turn (35% into the run)
    assert 0.25 <= record.observations["curve.val_min_at"] <= 0.5


@pytest.mark.parametrize("name", HEALTHY)
def test_healthy_logs_raise_no_alarm(kb, proposal_kb, tmp_path, name):
    path = write_csv(tmp_path / f"{name}.csv", shape(name))
    for base in (kb, proposal_kb):
        _, session = diagnose(base, path)
        assert alarms(session) == [], answers(session)


@pytest.mark.parametrize("seed", range(1, 5))
def test_other_draws_of_the_noise_change_nothing(proposal_kb, tmp_path, seed):
    """The thresholds hold for other noise, not for one lucky draw."""
    for name in ("healthy_small_batch", "healthy_near_zero", "healthy_warm_restarts", "healthy_step_schedule"):
        _, session = diagnose(proposal_kb, write_csv(tmp_path / f"{name}.csv", shape(name, seed)))
        assert alarms(session) == [], (name, answers(session))
    for name, cause in (("oscillating", "lr_too_high"), ("blowup", "lr_too_high"), ("slow_but_real", "actually_decreasing"),
                        ("overfitting", "overfitting"), ("both_high", "underfitting"),
                        ("flat_noisy", "underfitting")):
        _, session = diagnose(proposal_kb, write_csv(tmp_path / f"{name}.csv", shape(name, seed)))
        assert session.diagnoses()[0].cause == cause, (name, answers(session))


# --- with the proposed rules: the expected diagnoses ---------------------------------

PROPOSED = {
    "blowup": ("lr_too_high", 0.5),
    "blowup_at_start": ("lr_too_high", 0.5),
    "blowup_below_start": ("lr_too_high", 0.5),
    "lr_cut_rescues": ("lr_too_high", 0.5),
    "flat_tiny_lr": ("lr_too_low", 0.5),
    "flat_noisy": ("underfitting", 0.2),        # flat from the start, with validation just as flat
    "exploding_then_nan": ("exploding_gradients", 0.5),
    "oscillating": ("lr_too_high", 0.3),        # top, but a log alone cannot rule out a small batch
    "both_high": ("underfitting", 0.3),         # top: both stay high; a log alone cannot prove capacity
    "overfitting": ("overfitting", 0.5),
    "slow_but_real": ("actually_decreasing", 0.5),
}


@pytest.mark.parametrize("name", sorted(PROPOSED))
def test_proposed_rules_give_the_expected_top_diagnosis(proposal_kb, tmp_path, name):
    _, session = diagnose(proposal_kb, write_csv(tmp_path / f"{name}.csv", shape(name)))
    top = session.diagnoses()[0]
    cause, floor = PROPOSED[name]
    assert top.cause == cause, ([(d.cause, d.confidence) for d in session.diagnoses()[:3]], answers(session))
    assert top.confidence >= floor
    assert top.evidence, "every diagnosis carries what was measured"


def test_oscillation_also_points_at_the_batch(proposal_kb, tmp_path):
    _, session = diagnose(proposal_kb, write_csv(tmp_path / "osc.csv", shape("oscillating")))
    assert answers(session)["q_symptom"] == "erratic"
    by_cause = {d.cause: d for d in session.diagnoses()}
    assert by_cause["batch_too_small"].evidence        # named, with the swing as evidence
    assert by_cause["lr_too_low"].confidence < 0.05


def test_noisy_flat_log_is_flat_not_a_plateau(kb, proposal_kb, tmp_path):
    path = write_csv(tmp_path / "flat.csv", shape("flat_noisy"))
    _, session = diagnose(proposal_kb, path)
    assert answers(session)["q_symptom"] == "flat"
    assert answers(session)["q_train_val"] == "both_high"


def test_both_high_answers_train_val(proposal_kb, tmp_path):
    _, session = diagnose(proposal_kb, write_csv(tmp_path / "bh.csv", shape("both_high")))
    assert answers(session)["q_train_val"] == "both_high"
    assert answers(session)["q_symptom"] == "plateau"


def test_lr_schedule_step_and_its_effect(proposal_kb, tmp_path):
    record, session = diagnose(proposal_kb, write_csv(tmp_path / "cut.csv", shape("lr_cut_rescues")))
    obs = record.observations
    assert obs["logs.lr_changes"] == 1 and obs["logs.lr_drops"] == 1
    assert obs["logs.lr_drop_step"] == 500
    assert obs["logs.lr_drop_factor"] == pytest.approx(10)
    assert obs["logs.loss_change_after_lr_drop"] >= 0.2          # fell right after the cut
    assert obs["logs.loss_change_before_lr_drop"] < 0.05         # not before it
    event = record.details["lr"]["events"][0]
    assert event["step"] == 500 and event["loss_after"] < event["loss_before"]
    assert answers(session)["q_lr_position"] == "above_divergence"


def test_healthy_step_schedule_is_read_but_not_accused(proposal_kb, tmp_path):
    record, session = diagnose(proposal_kb, write_csv(tmp_path / "steps.csv", shape("healthy_step_schedule")))
    obs = record.observations
    assert obs["logs.lr_changes"] == 2 and obs["logs.lr_drops"] == 2
    assert obs["logs.drop_before_lr_drop"] > 0.5                 # most progress came before the cut
    assert "q_lr_position" not in answers(session)


def test_smooth_schedules_have_no_events(tmp_path):
    from loss_advisor.logs import log_record

    warm = [min(1.0, (i + 1) / 100) * 0.1 for i in range(N)]                      # linear warm-up
    cosine = [0.05 * (1 + math.cos(math.pi * i / N)) for i in range(N)]           # cosine to zero
    for lr in (warm, cosine):
        record = log_record(write_csv(tmp_path / "s.csv", {"train": shape("healthy")["train"], "lr": lr}))
        assert record.observations["logs.lr_changes"] == 0


# --- formats: the same curve through every writer -----------------------------------

def test_every_format_reads_the_same_curve(kb, tmp_path):
    s = shape("overfitting")
    paths = {
        "csv": write_csv(tmp_path / "o.csv", s),
        "jsonl": write_jsonl(tmp_path / "o.jsonl", s),
        "tensorboard": write_tensorboard(tmp_path / "tb", s),
    }
    seen = {}
    for fmt, path in paths.items():
        record, session = diagnose(kb, path)
        assert record.details["source"]["format"] == fmt
        assert record.observations["curve.points"] == N
        assert record.observations["curve.val_points"] == len(s["val"])
        assert answers(session)["q_train_val"] == "val_turns_up"
        seen[fmt] = record.observations["curve.val_rise"]
    # TensorBoard stores float32: the same numbers to about 7 digits
    assert seen["csv"] == seen["jsonl"] == pytest.approx(seen["tensorboard"], rel=1e-5)


def test_tensorboard_nan_shape_from_summary_writer(kb, tmp_path):
    record, session = diagnose(kb, write_tensorboard(tmp_path / "tb", shape("nan_at_600")))
    assert record.details["columns"]["train"] == "Loss/train"
    assert record.observations["curve.nonfinite_step"] == 600
    assert answers(session)["q_nan_when"] == "later"


def test_tensorboard_grad_norm_explosion(proposal_kb, tmp_path):
    record, session = diagnose(proposal_kb, write_tensorboard(tmp_path / "tb", shape("exploding_then_nan")))
    assert record.details["columns"]["grad_norm"] == "grad_norm"
    assert record.observations["logs.grad_norm_growth"] >= 100
    assert session.diagnoses()[0].cause == "exploding_gradients"


def _train_real(lr: float, steps: int = 1000):
    """A real (tiny) training run: per-step loss, validation every 50 steps."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    x, w = torch.randn(2000, 20), torch.randn(20, 5)
    y = (x @ w + 0.5 * torch.randn(2000, 5)).argmax(1)
    xv = torch.randn(500, 20)
    yv = (xv @ w + 0.5 * torch.randn(500, 5)).argmax(1)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 5))
    opt, loss_fn = torch.optim.Adam(model.parameters(), lr=lr), nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    for step in range(steps):
        idx = torch.randint(0, 2000, (32,), generator=gen)
        loss = loss_fn(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        val = None
        if step % 50 == 0:
            with torch.no_grad():
                val = loss_fn(model(xv), yv).item()
        yield step, loss.item(), val


@pytest.mark.parametrize("lr,expect", [(1e-3, None), (1.0, "lr_too_high")])
def test_real_training_run_logged_by_summary_writer(proposal_kb, tmp_path, lr, expect):
    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(str(tmp_path / "run"))
    for step, loss, val in _train_real(lr):
        w.add_scalar("train/loss", loss, step)
        if val is not None:
            w.add_scalar("val/loss", val, step)
    w.close()
    _, session = diagnose(proposal_kb, tmp_path / "run")
    if expect is None:
        assert alarms(session) == []
    else:
        top = session.diagnoses()[0]
        assert (top.cause, top.confidence >= 0.5) == (expect, True)


def test_lightning_sparse_metrics_csv(kb, tmp_path):
    s = shape("overfitting")
    s["lr"] = [0.1] * N
    folder = tmp_path / "lightning_logs" / "version_0"
    folder.mkdir(parents=True)
    path = write_lightning_csv(folder / "metrics.csv", s)
    header = path.read_text().splitlines()[0]
    assert header == "epoch,lr-SGD,step,train_loss_epoch,train_loss_step,val_loss"
    for target in (path, folder):                # the file, or its version folder
        record, session = diagnose(kb, target)
        cols = record.details["columns"]
        assert (cols["train"], cols["val"], cols["lr"], cols["x_axis"]) == ("train_loss_step", "val_loss", "lr-SGD", "step")
        assert record.observations["curve.points"] == N // 10           # logged every 10 steps
        assert record.observations["curve.val_points"] == len(s["val"])
        assert answers(session)["q_train_val"] == "val_turns_up"


def test_hugging_face_trainer_state_json(kb, tmp_path):
    history = []
    for i in range(1, 101):
        history.append({"epoch": i / 20, "grad_norm": 2.0, "learning_rate": 5e-5 * (1 - i / 100), "loss": decay(i, tau=30),
                        "step": 10 * i})
        if i % 20 == 0:
            history.append({"epoch": i / 20, "eval_loss": decay(i, floor=0.15, tau=30), "eval_runtime": 1.0, "step": 10 * i})
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps({"global_step": 1000, "log_history": history}, indent=2))
    record, session = diagnose(kb, path)
    cols = record.details["columns"]
    assert (cols["train"], cols["val"], cols["lr"], cols["grad_norm"]) == ("loss", "eval_loss", "learning_rate", "grad_norm")
    assert record.observations["curve.points"] == 100 and record.observations["curve.val_points"] == 5
    assert alarms(session) == []


def test_keras_style_epoch_csv(kb, tmp_path):
    path = tmp_path / "training.log"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["epoch", "accuracy", "loss", "val_accuracy", "val_loss"])
        for e in range(40):
            w.writerow([e, 0.5, decay(e, tau=10), 0.5, decay(e, floor=0.15, tau=10)])
    record, session = diagnose(kb, path)
    assert record.details["columns"]["x_axis"] == "epoch"
    assert (record.details["columns"]["train"], record.details["columns"]["val"]) == ("loss", "val_loss")
    assert alarms(session) == []


def test_jsonl_nested_keys_nan_and_a_cut_off_last_line(kb, tmp_path):
    path = write_jsonl(tmp_path / "run.jsonl", shape("nan_at_600"))
    with open(path, "a") as f:
        f.write('{"step": 1000, "train": {"lo')                # the run was killed mid-write
    record, session = diagnose(kb, path)
    assert record.details["columns"]["train"] == "train/loss"
    assert record.observations["curve.nonfinite_step"] == 600
    assert any("cut off" in n for n in record.notes)
    assert answers(session)["q_symptom"] == "nan"


def test_explicit_train_col(cli, tmp_path):
    s = shape("healthy")
    path = tmp_path / "two.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "loss", "aux_loss"])
        for i, v in enumerate(s["train"]):
            w.writerow([i, v, 2.3])                             # aux_loss is flat
    auto = json.loads(cli("logs", str(path), "--format", "json", "--lang", "en").out)
    chosen = json.loads(cli("logs", str(path), "--train-col", "aux_loss", "--format", "json", "--lang", "en").out)
    assert auto["probes"][0]["findings"]["columns"]["train"] == "loss"
    assert chosen["probes"][0]["findings"]["columns"]["train"] == "aux_loss"
    answered = {p["question"]: p["answer"] for p in chosen["path"]}
    assert answered["q_symptom"] == "flat"


def test_cli_json_follows_the_contract(cli, tmp_path):
    path = write_csv(tmp_path / "o.csv", shape("overfitting"))
    result = cli("logs", str(path), "--format", "json", "--lang", "en")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["mode"] == "logs" and data["target"] == str(path)
    (probe,) = data["probes"]
    assert (probe["name"], probe["status"]) == ("logs", "ok")
    assert probe["findings"]["curve.val_rise"] > 0.2
    assert len(probe["findings"]["train"]["steps"]) == N
    confidences = [d["confidence"] for d in data["diagnoses"]]
    assert confidences == sorted(confidences, reverse=True)
    assert data["diagnoses"][0]["cause"] == "overfitting"
    assert data["reproduce"]["command"].startswith("loss-advisor logs ")


def test_cli_text_and_markdown_in_both_languages(cli, tmp_path):
    path = write_csv(tmp_path / "n.csv", shape("nan_at_600"))
    en = cli("logs", str(path), "--lang", "en")
    ja = cli("logs", str(path), "--lang", "ja")
    assert en.code == ja.code == 0
    assert "NaN/inf: first at step 600" in en.out and "columns: training loss 'train_loss'" in en.out
    assert "ステップ 600 で最初に出現" in ja.out and "使用した列" in ja.out
    md = cli("logs", str(path), "--lang", "ja", "--format", "markdown")
    assert md.code == 0 and md.out.startswith("#")


def test_proposed_kb_passes_kb_check(cli, proposal_dir):
    result = cli("kb", "check", "--kb", str(proposal_dir))
    assert result.code == 0, result.err
    shipped = cli("kb", "check")
    assert shipped.code == 0, shipped.err


def test_proposed_kb_through_the_cli(cli, proposal_dir, tmp_path):
    path = write_csv(tmp_path / "b.csv", shape("blowup"))
    data = json.loads(cli("logs", str(path), "--kb", str(proposal_dir), "--format", "json").out)
    top = data["diagnoses"][0]
    assert top["cause"] == "lr_too_high" and top["confidence"] >= 0.5
    assert any("threshold" in line or "measured" in line for line in top["evidence"])


# --- bad input: one line, exit 2 -----------------------------------------------------

def _bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (extra args, text the English line must contain)."""
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "empty.jsonl").write_text("\n\n")
    (tmp_path / "header_only.csv").write_text("step,loss\n")
    (tmp_path / "no_loss.csv").write_text("step,accuracy\n0,0.1\n1,0.2\n")
    (tmp_path / "text.csv").write_text("step,loss\n0,2.3\n1,2.2\n2,abc\n3,2.0\n")
    (tmp_path / "no_header.csv").write_text("0,2.3\n1,2.2\n")
    (tmp_path / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\xfa" * 20)
    (tmp_path / "bad.jsonl").write_text('{"step": 0, "loss": 1}\nnot json\n{"step": 2, "loss": 1}\n')
    (tmp_path / "list.jsonl").write_text("[1, 2]\n")
    (tmp_path / "nofolder").mkdir()
    (tmp_path / "nofolder" / "notes.txt").write_text("hello")
    tb = write_tensorboard(tmp_path / "tb", {"train": [1.0] * 50})
    event = next(tb.glob("*tfevents*"))
    (tmp_path / "cut").mkdir()
    (tmp_path / "cut" / event.name).write_bytes(event.read_bytes()[:5])
    return {
        "empty.csv": ([], "empty"),
        "empty.jsonl": ([], "empty"),
        "header_only.csv": ([], "no records"),
        "no_loss.csv": ([], "no training-loss column"),
        "text.csv": ([], "line 4: column 'loss' holds 'abc', not a number"),
        "no_header.csv": ([], "no header row"),
        "binary.csv": ([], "not a UTF-8 text file"),
        "bad.jsonl": ([], "line 2: not valid JSON"),
        "list.jsonl": ([], "must be a JSON object"),
        "missing.csv": ([], "no such file"),
        "nofolder": ([], "no TensorBoard event files"),
        "cut": ([], "no readable event"),
        "text.csv --train-col nope": (["--train-col", "nope"], "no column 'nope'"),
    }


def test_bad_inputs_end_in_one_line(cli, tmp_path):
    for name, (extra, expected) in _bad_inputs(tmp_path).items():
        target = tmp_path / name.split()[0]
        line = one_line_error(cli("logs", str(target), *extra, "--lang", "en"))
        assert expected in line, (name, line)


def test_bad_input_in_japanese(cli, tmp_path):
    (tmp_path / "text.csv").write_text("step,loss\n0,2.3\n1,abc\n")
    line = one_line_error(cli("logs", str(tmp_path / "text.csv"), "--lang", "ja"))
    assert "3 行目: 列 'loss' の値 'abc' は数値ではありません" in line
    line = one_line_error(cli("logs", str(tmp_path / "none.csv"), "--lang", "ja"))
    assert "ファイルまたはフォルダがありません" in line


def test_text_in_an_unused_column_is_ignored(kb, tmp_path):
    path = tmp_path / "notes.csv"
    s = shape("healthy")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "loss", "loss_note"])
        for i, v in enumerate(s["train"]):
            w.writerow([i, v, "ok" if i % 2 else ""])
    record, _ = diagnose(kb, path)
    assert record.details["columns"]["train"] == "loss"


def test_truncated_event_file_gives_the_events_before_the_cut(kb, tmp_path):
    tb = write_tensorboard(tmp_path / "tb", shape("healthy"))
    event = next(tb.glob("*tfevents*"))
    data = event.read_bytes()
    event.write_bytes(data[: len(data) // 2 + 7])             # cut inside a record
    record, _ = diagnose(kb, tb)
    points = record.observations["curve.points"]
    assert 0.3 * N < points < 0.7 * N
    assert any("cut-off record" in n for n in record.notes)


def test_missing_tensorboard_names_the_install_line(cli, tmp_path, monkeypatch):
    tb = write_tensorboard(tmp_path / "tb", shape("healthy"))
    for mod in [m for m in sys.modules if m == "tensorboard" or m.startswith("tensorboard.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "tensorboard", None)       # import tensorboard -> ImportError
    line = one_line_error(cli("logs", str(tb), "--lang", "en"))
    assert 'pip install "loss-advisor[tensorboard]"' in line
    line = one_line_error(cli("logs", str(tb), "--lang", "ja"))
    assert "tensorboardパッケージが必要です" in line


# --- size, API and import hygiene ----------------------------------------------------

def test_a_million_rows_stream_to_a_correct_answer(kb, tmp_path):
    rows = 1_000_000
    r = random.Random(1)
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("step,train_loss,val_loss\n")
        f.writelines(f"{i},{decay(i, tau=rows / 5) * math.exp(r.gauss(0, 0.1)):.5f},"
                     f"{decay(i, floor=0.15, tau=rows / 5):.5f}\n" if i % 5000 == 0 else
                     f"{i},{decay(i, tau=rows / 5) * math.exp(r.gauss(0, 0.1)):.5f},\n" for i in range(rows))
    record, session = diagnose(kb, path)
    assert record.observations["curve.points"] == rows
    assert record.observations["curve.val_points"] == rows // 5000
    assert len(record.details["train"]["steps"]) <= 5001
    assert record.details["train"]["steps"][-1] == rows - 1
    assert answers(session)["q_symptom"] == "checkup" and alarms(session) == []


def test_log_record_api(tmp_path):
    from loss_advisor.logs import LogError, log_record
    from loss_advisor.core.records import ProbeRecord

    record = log_record(write_csv(tmp_path / "h.csv", shape("healthy_warm_restarts")), lang="ja")
    assert isinstance(record, ProbeRecord)
    assert (record.name, record.status) == ("logs", "ok")
    assert all(name.startswith(("curve.", "logs.")) for name in record.observations)
    assert set(record.details) >= {"train", "lr", "columns", "source"}
    assert record.observations["logs.lr_rises"] == 3
    assert "使用した列" in record.notes[0]
    with pytest.raises(LogError) as err:
        log_record(tmp_path / "nope.csv")
    assert "no such file" in str(err.value) and "ありません" in err.value.message("ja")


def test_reading_a_log_imports_neither_torch_nor_tensorboard(tmp_path):
    path = write_csv(tmp_path / "h.csv", shape("healthy"))
    code = (
        "import sys\n"
        "from loss_advisor.logs import analyse_path, OBSERVATIONS\n"
        f"obs, details, notes = analyse_path({str(path)!r})\n"
        "assert obs['curve.points'] == 1000\n"
        "print(sorted(m for m in ('torch', 'tensorboard', 'textual') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_log_message_has_both_languages():
    from loss_advisor.core.i18n import LANGS, catalogue

    keys = [k for k in catalogue() if k.startswith("logs.")]
    assert len(keys) > 30
    for key in keys:
        assert all(catalogue()[key].get(lang) for lang in LANGS), key


def test_log_observations_are_declared():
    from loss_advisor.logs import OBSERVATIONS
    from loss_advisor.pipeline.producers import all_declared

    declared = all_declared()
    assert all(o.name in declared and o.meaning["ja"] and o.meaning["en"] for o in OBSERVATIONS)
    proposal = PROPOSAL.read_text(encoding="utf-8")
    used = set(__import__("re").findall(r"obs: ((?:logs|curve)\.[a-z_]+)", proposal))
    assert used <= set(declared), used - set(declared)
