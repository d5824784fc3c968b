"""Interventions (issue 13): the knowledge that declares them, the decision
rule, the ranking by outcome, and paired runs on tiny set-ups.

The examples, through `probe --format json`, are in
test_interventions_examples.py (slow)."""
from __future__ import annotations

import math
import shutil

import pytest
import torch
import yaml
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from conftest import EXAMPLES
from loss_advisor.core.engine import Session
from loss_advisor.core.kb import KBError, default_kb_dir, load_kb, threshold
from loss_advisor.core.result import Result
from loss_advisor.pipeline.api import diagnose_target, plans
from loss_advisor.probes.interventions import MECHANISMS, SYMPTOMS, Interventions, Plan, Sizes, decide
from loss_advisor.probing.harness import Harness
from loss_advisor.probing.target import from_object


@pytest.fixture(scope="module")
def kb():
    return load_kb()


# --- knowledge ------------------------------------------------------------------------

def test_the_schema_lists_exactly_the_mechanisms_the_code_has():
    schema = yaml.safe_load((default_kb_dir() / "schema.yaml").read_text(encoding="utf-8"))
    listed = schema["$defs"]["intervention"]["oneOf"][0]["properties"]["mechanism"]["enum"]
    assert sorted(listed) == sorted(MECHANISMS)


def test_every_cause_says_how_it_is_tested_or_why_it_cannot_be(kb):
    for cid, cause in kb.causes.items():
        assert cause.intervention is not None, cid
        assert cause.intervention.text["en"] and cause.intervention.text["ja"], cid
        assert cause.intervention.mechanism is None or cause.intervention.mechanism in MECHANISMS, cid
    # the seven newer causes, as the issue lists them
    expected = {"lr_schedule_misconfigured": "no_scheduler", "mixed_precision_misconfigured": "fp32",
                "accumulation_not_scaled": "reference_step", "gradient_clipping_too_strong": "reference_step",
                "over_regularized": "lift_regularization", "padding_in_loss": "ignore_padding"}
    for cid, mechanism in expected.items():
        assert kb.causes[cid].intervention.mechanism == mechanism, cid
    for cid in ("label_noise", "overfitting", "attention_mask_wrong"):
        assert kb.causes[cid].intervention.mechanism is None, cid


def test_kb_check_rejects_an_unknown_mechanism(tmp_path):
    folder = tmp_path / "knowledge"
    shutil.copytree(default_kb_dir(), folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = folder / "causes" / "learning_rate.yaml"
    text = path.read_text(encoding="utf-8")
    assert "mechanism: lr_lower" in text
    path.write_text(text.replace("mechanism: lr_lower", "mechanism: lr_by_magic", 1), encoding="utf-8")
    with pytest.raises(KBError) as err:
        load_kb(folder, cache=False)
    assert any("lr_too_high" in p and "intervention" in p for p in err.value.problems), err.value.problems


# --- the decision rule -------------------------------------------------------------------

def test_decide_confirms_only_beyond_the_noise_and_the_effect_floor():
    assert decide([2.30, 2.28, 2.33], [0.31, 0.35, 0.30])[0] == "confirmed"
    verdict, spread = decide([2.30, 2.28, 2.33], [2.29, 2.31, 2.30])
    assert verdict == "refuted" and spread == pytest.approx(0.0252, abs=1e-3)
    # a gain of 0.15 with a spread of 0.1 in both arms: a standard error of 0.082,
    # beyond one of them and the effect floor (0.1 x 1.0), within two
    assert decide([1.0, 1.1, 0.9], [0.85, 0.95, 0.75])[0] == "inconclusive"
    assert decide([1.0, 1.3, 0.7], [0.9, 1.2, 0.6])[0] == "inconclusive"   # too noisy to refute a gain of 0.1
    assert decide([1.0, 1.02, 0.98], [1.01, 1.03, 0.99])[0] == "refuted"
    # a chaotic set-up (a wide spread as is) against a steady remedy
    assert decide([6.65, 1.04, 3.59], [0.09, 0.08, 0.10])[0] == "confirmed"
    # a deterministic set-up (no spread): the effect floor decides
    assert decide([1.0, 1.0, 1.0], [0.5, 0.5, 0.5])[0] == "confirmed"
    assert decide([1.0, 1.0, 1.0], [0.99, 0.99, 0.99])[0] == "refuted"
    # against the loss the runs started from: blind set 5's healthy deep ReLU MLP fell from
    # 0.69 to 0.063 as is, and He re-initialisation took it to 0.018 - a gain of 70% of the
    # loss as is, 6.5% of the start: an improvement of a training that works, not a cause
    healthy = ([0.065, 0.062, 0.063], [0.019, 0.017, 0.018])
    assert decide(*healthy)[0] == "confirmed"
    assert decide(*healthy, start=0.69)[0] == "inconclusive"
    # a stalled training the change recovers is confirmed whatever the start
    assert decide([2.30, 2.28, 2.33], [0.31, 0.35, 0.30], start=2.31)[0] == "confirmed"
    # a re-initialisation that removes a first-step spike is held to the lower start
    assert decide([2.30, 2.28, 2.33], [0.31, 0.35, 0.30], start=2.30)[0] == "confirmed"
    # a real gain (20%) with a change whose own runs scatter widely refutes nothing
    assert decide([2.41, 2.45, 2.38], [0.6, 2.5, 2.66])[0] == "inconclusive"
    # a divergence removed confirms; a divergence caused refutes; both diverging says nothing
    assert decide([math.inf, math.inf], [0.4, 0.5])[0] == "confirmed"
    # a change that diverges overshot (lr_higher past the divergence point on
    # a rate truly too low, blind set 5): it refutes nothing
    assert decide([0.4, 0.5], [math.inf, math.inf])[0] == "inconclusive"
    assert decide([math.inf, math.inf], [math.inf, math.inf])[0] == "inconclusive"


# --- ranking by outcome (engine, no torch needed) -------------------------------------------

def _outcome(verdict, as_is=2.3, with_change=0.3, **extra):
    return {"mechanism": extra.pop("mechanism", "lr_lower"), "params": {"lr": 0.003, "user_lr": 1.0},
            "steps": 100, "seeds": [0, 1, 2], "loss_as_is": as_is, "loss_with_change": with_change,
            "spread": 0.02, "verdict": verdict, **extra}


def test_a_confirmed_cause_rises_and_a_refuted_one_falls(kb):
    session = Session(kb)
    session.answer("q_dead_units", "many")              # dead_relu well above 0.5 from the probes' side
    session.answer("q_lr_position", "near_divergence")  # and a sign of the rate, the root
    before = {d.cause: d.confidence for d in session.diagnoses()}
    assert before["dead_relu"] >= 0.5 and before["lr_too_high"] < 0.5
    session.set_interventions({"lr_too_high": _outcome("confirmed"),
                               "dead_relu": _outcome("refuted", 2.3, 2.29, mechanism="reinitialize")})
    after = {d.cause: d for d in session.diagnoses()}
    assert after["lr_too_high"].confidence >= threshold("interventions.confirmed_confidence")
    assert after["dead_relu"].confidence <= threshold("interventions.refuted_confidence")
    line = after["lr_too_high"].evidence[0].text
    assert "0.3" in line and "2.3" in line and "0.003" in line and "±0.02" in line
    assert after["lr_too_high"].intervention["verdict"] == "confirmed"
    assert after["lr_too_high"].intervention["seeds"] == [0, 1, 2]


def test_a_symptom_the_root_s_change_removes_is_its_consequence_and_ranks_below_it(kb):
    session = Session(kb)
    session.answer("q_dead_units", "many")
    session.answer("q_lr_position", "near_divergence")
    gone = {"dead_relu": {"as_is": 0.95, "with_change": 0.04, "present_as_is": True, "present_with_change": False}}
    session.set_interventions({"lr_too_high": _outcome("confirmed", symptoms=gone)})
    ranked = session.diagnoses()
    order = [d.cause for d in ranked]
    assert order.index("lr_too_high") < order.index("dead_relu")
    dead = next(d for d in ranked if d.cause == "dead_relu")
    assert dead.consequence_of == "lr_too_high"
    assert "lr_too_high" in dead.evidence[0].text and "0.04" in dead.evidence[0].text
    # the JSON carries it, and a saved result replays it
    result = Result(session=session)
    data = result.to_dict()
    entry = next(d for d in data["diagnoses"] if d["cause"] == "dead_relu")
    assert entry["consequence_of"] == "lr_too_high"
    top = data["diagnoses"][0]
    assert top["cause"] == "lr_too_high"
    assert set(top["intervention"]) >= {"change", "steps", "seeds", "loss_as_is", "loss_with_change", "spread",
                                        "verdict"}
    again = Result.from_dict(data)
    assert [d["cause"] for d in again.to_dict()["diagnoses"]] == [d["cause"] for d in data["diagnoses"]]
    assert "lr_too_high" in result.to_text() and "confirmed" in result.to_text()


def test_a_symptom_still_present_with_the_change_is_not_a_consequence(kb):
    session = Session(kb)
    session.answer("q_dead_units", "many")
    stays = {"dead_relu": {"as_is": 0.95, "with_change": 0.9, "present_as_is": True, "present_with_change": True}}
    session.set_interventions({"lr_too_high": _outcome("confirmed", symptoms=stays)})
    dead = next(d for d in session.diagnoses() if d.cause == "dead_relu")
    assert dead.consequence_of is None and dead.confidence >= 0.5


def test_one_change_that_tests_two_causes_raises_only_the_first(kb):
    session = Session(kb)
    session.answer("q_dead_units", "many")
    session.set_interventions({"dead_relu": _outcome("confirmed", mechanism="reinitialize"),
                               "bad_initialization": _outcome("confirmed", mechanism="reinitialize")})
    conf = {d.cause: d.confidence for d in session.diagnoses()}
    assert conf["dead_relu"] >= 0.9 and conf["bad_initialization"] < 0.5


def test_candidates_are_the_leading_causes_with_a_mechanism(kb):
    session = Session(kb)
    assert plans(session, 3) == []                     # nothing likely: nothing to test
    session.answer("q_dead_units", "many")
    chosen = plans(session, 3)
    # units dead at initialisation point to the initialisation too (a runner-up, below the alarm)
    assert [p.cause for p in chosen] == ["dead_relu", "bad_initialization"]
    assert {p.mechanism for p in chosen} == {"reinitialize"}          # one run serves both


# --- paired runs on tiny set-ups ----------------------------------------------------------------

def _tiny(lr: float, train_step=None, seed: int = 0):
    torch.manual_seed(seed)
    x = torch.randn(512, 8)
    y = (x[:, 0] - x[:, 1] > 0).long()
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
    return from_object({"model": model, "loss_fn": nn.CrossEntropyLoss(),
                        "optimizer": lambda p: torch.optim.SGD(p, lr=lr),
                        "train_data": DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True,
                                                 generator=torch.Generator().manual_seed(seed)),
                        "train_step": train_step})


SMALL = Sizes(candidates=3, steps=40, seeds=3, seconds=20.0)


def _run(target, cause, mechanism, observations=None):
    h = Harness(target, "cpu")
    return Interventions(h, observations or {}, SMALL).run([Plan(cause, mechanism, ("dead_relu",))])[cause]


def test_a_learning_rate_far_too_high_is_confirmed_by_the_lower_rate():
    outcome = _run(_tiny(lr=200.0), "lr_too_high", "lr_lower", {"lr_sweep.suggested_lr": 0.5})
    assert outcome["verdict"] == "confirmed", outcome
    assert outcome["params"]["lr"] == 0.5 and outcome["seeds"] == [0, 1, 2]
    assert outcome["curve"].series["with_change"][-1] < outcome["curve"].series["as_is"][0]


def test_a_change_that_changes_nothing_refutes_its_cause_however_little_the_runs_moved():
    """Every parameter already trainable and held: a fresh optimizer holding them
    all trains step for step as the user's does. Blind set 7's tanh net at
    N(0, 0.01), whose parameters barely move for another reason (its
    initialisation), read as params_not_updated 0.99 above it."""
    for lr in (1e-7, 0.1):         # a run that barely moves, and one that trains
        outcome = _run(_tiny(lr=lr), "params_not_updated", "train_all_params")
        assert outcome["verdict"] == "refuted", outcome
        assert "exactly as it was" in outcome["reason"]
        assert outcome["losses_as_is"] == outcome["losses_with_change"]
    frozen = _tiny(lr=0.1)
    for p in frozen.model[0].parameters():
        p.requires_grad_(False)
    assert _run(frozen, "params_not_updated", "train_all_params")["verdict"] == "confirmed"


def test_a_healthy_rate_is_not_confirmed_by_lowering_or_raising_it():
    for mechanism in ("lr_lower", "lr_higher"):
        outcome = _run(_tiny(lr=0.5), "lr_too_high", mechanism)
        assert outcome["verdict"] in ("refuted", "inconclusive"), (mechanism, outcome)


def test_the_reference_step_confirms_a_step_that_never_clears_gradients():
    def no_zero_grad(model, batch, optimizer, loss_fn):
        x, y = batch
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()
    outcome = _run(_tiny(lr=0.5, train_step=no_zero_grad), "missing_zero_grad", "reference_step")
    assert outcome["verdict"] == "confirmed", outcome


def test_a_mechanism_that_does_not_apply_is_inconclusive_with_its_reason():
    outcome = _run(_tiny(lr=0.5), "lr_schedule_misconfigured", "no_scheduler")
    assert outcome["verdict"] == "inconclusive" and "scheduler" in outcome["reason"]


def test_symptom_meters_cover_their_causes():
    assert set(SYMPTOMS) <= set(load_kb().causes)


def test_the_whole_suite_verifies_by_default_and_no_verify_or_chosen_probes_do_not(monkeypatch):
    from loss_advisor.pipeline import api
    from loss_advisor.pipeline.runner import RunOutcome

    stages = []

    def fake_run_probes(target, **kwargs):
        stages.append(kwargs.get("after"))
        return RunOutcome([], {}, {}, {}, "cpu", "fast", 0)
    monkeypatch.setattr(api, "run_probes", fake_run_probes)
    target = _tiny(lr=0.5)
    diagnose_target(target, device="cpu")
    diagnose_target(target, device="cpu", verify=False)
    diagnose_target(target, probes=["init_loss"], device="cpu")
    assert stages[0] is not None and stages[0].name == "interventions"
    assert stages[1:] == [None, None]


def test_verify_causes_on_demand_joins_the_session_and_the_result_reaches_the_curves(kb):
    from loss_advisor.core.records import Curve
    from loss_advisor.pipeline.api import verify_causes

    target = _tiny(lr=200.0)
    session = Session(kb)
    session.observe({"lr_sweep.suggested_lr": 0.5}, source="lr_sweep")     # what the sweep found earlier
    outcome = verify_causes(session, target, ["lr_too_high", "label_noise"], device="cpu")
    assert outcome.restored
    assert set(session.interventions) == {"lr_too_high"}          # label_noise has no mechanism
    assert session.interventions["lr_too_high"]["verdict"] == "confirmed"
    result = Result(session=session, probes=outcome.records)
    found = result.interventions()["lr_too_high"]
    assert isinstance(found["curve"], Curve) and set(found["curve"].series) == {"as_is", "with_change"}
    assert "learning rate" in found["change"] and found["steps"] > 0 and len(found["seeds"]) >= 2
    top = result.to_dict()["diagnoses"][0]
    assert top["cause"] == "lr_too_high" and top["intervention"]["verdict"] == "confirmed"


def test_changes_that_swap_in_the_reference_step_raise_only_the_leading_step_cause(kb):
    session = Session(kb)
    session.answer("q_dead_units", "many")        # something else leads; neither step cause does yet
    session.answer("q_loop_vs_reference", "loop_at_fault")   # though the user's step trails the reference
    session.set_interventions({
        "params_not_updated": _outcome("confirmed", mechanism="train_all_params", family="reference_step"),
        "step_before_backward": _outcome("confirmed", mechanism="reference_step", family="reference_step")})
    conf = {d.cause: d.confidence for d in session.diagnoses()}
    raised = [c for c in ("params_not_updated", "step_before_backward") if conf[c] >= 0.9]
    assert len(raised) == 1


def test_inputs_that_look_ignored_follow_from_a_step_that_never_clears_gradients(kb):
    """The third scenario of the issue, as the engine ranks it: the reference
    step both recovers the training and makes the inputs matter again."""
    session = Session(kb)
    session.answer("q_inputs_used", "same")           # inputs look ignored, strongly
    session.answer("q_loop_vs_reference", "loop_at_fault")   # and the user's step trails the reference
    before = {d.cause: d.confidence for d in session.diagnoses()}
    assert before["inputs_ignored"] > before["missing_zero_grad"]
    gone = {"inputs_ignored": {"as_is": 0.0, "with_change": 0.62, "present_as_is": True,
                               "present_with_change": False}}
    session.set_interventions({"missing_zero_grad": _outcome("confirmed", 14.9, 1.15, mechanism="reference_step",
                                                             family="reference_step", symptoms=gone)})
    ranked = session.diagnoses()
    assert ranked[0].cause == "missing_zero_grad"
    ignored = next(d for d in ranked if d.cause == "inputs_ignored")
    assert ignored.consequence_of == "missing_zero_grad" and "missing_zero_grad" in ignored.evidence[0].text


def test_a_cause_whose_own_symptom_the_as_is_run_lacks_is_refuted_whatever_the_loss_did(kb):
    """Blind set 5's healthy deep ReLU MLP: 35% of its units dead at
    initialisation, none after 100 steps of its own training; He
    re-initialisation still lowered the loss (it trains faster than the
    default). dead_relu is refuted; bad_initialization, tested by the same
    change, keeps the confirmation."""
    absent = {"dead_relu": {"as_is": 0.0, "with_change": 0.0, "present_as_is": False, "present_with_change": False,
                            "defining": True}}
    for verdict in ("confirmed", "inconclusive"):
        session = Session(kb)
        session.answer("q_dead_units", "many")
        session.set_interventions({"dead_relu": _outcome(verdict, 2.3, 0.4, mechanism="reinitialize",
                                                         family="reinitialize", symptoms=absent)})
        dead = next(d for d in session.diagnoses() if d.cause == "dead_relu")
        assert dead.confidence <= threshold("interventions.refuted_confidence")
        assert dead.intervention["verdict"] == "refuted" and "symptom" in dead.intervention["reason"]
        assert any("dead ReLU units (the worst layer's share) 0" in e.text for e in dead.evidence + dead.against)
    present = {"dead_relu": {**absent["dead_relu"], "as_is": 0.8, "present_as_is": True}}
    session = Session(kb)
    session.answer("q_dead_units", "many")
    session.set_interventions({"dead_relu": _outcome("confirmed", 2.3, 0.4, mechanism="reinitialize",
                                                     family="reinitialize", symptoms=present)})
    assert session.diagnoses()[0].cause == "dead_relu"
    # the same change tests the initialisation: its confirmation goes to the cause it can still explain
    session = Session(kb)
    session.answer("q_dead_units", "many")
    session.answer("q_init_scale", "shrinks")
    shared = _outcome("confirmed", 2.3, 0.4, mechanism="reinitialize", family="reinitialize", symptoms=absent)
    session.set_interventions({"dead_relu": shared, "bad_initialization": dict(shared)})
    ranked = {d.cause: d.confidence for d in session.diagnoses()}
    assert ranked["bad_initialization"] >= threshold("interventions.confirmed_confidence")
    assert ranked["dead_relu"] <= threshold("interventions.refuted_confidence")


@pytest.mark.parametrize("args, says", [
    (["--verify", "no_such_cause"], "unknown cause ID"),
    (["--verify", "label_noise"], "no intervention tests label_noise"),
    (["--verify", "lr_too_low", "--no-verify"], "contradict"),
    (["--verify", "lr_too_low", "--probes", "init_loss"], "--probes"),
])
def test_verify_option_rejects_what_it_cannot_test_in_one_line(cli, args, says):
    result = cli("probe", f"{EXAMPLES / 'healthy_digits'}.py:target", *args, "--quiet")
    assert result.code == 2 and says in result.err and result.err.count("\n") == 1 and result.out == ""


def test_a_confirmation_raises_only_a_cause_with_some_sign_for_it(kb):
    """A change forced on a cause nothing points to (probe --verify): a higher
    rate trains a healthy set-up faster too. Measured and shown, not raised."""
    session = Session(kb)
    session.answer("q_trend", "real")                    # the loss is going down
    session.set_interventions({"lr_too_low": _outcome("confirmed", 1.44, 0.13, mechanism="lr_higher")})
    low = next(d for d in session.diagnoses() if d.cause == "lr_too_low")
    assert low.confidence < 0.5 and low.intervention["verdict"] == "confirmed"
    assert any("no sign of this cause" in e.text for e in low.evidence)
    session.answer("q_lr_position", "far_below")         # now something does point to it
    low = next(d for d in session.diagnoses() if d.cause == "lr_too_low")
    assert low.confidence >= threshold("interventions.confirmed_confidence")


def test_a_defining_symptom_the_users_own_run_ended_without_rules_its_cause_out(kb):
    """dead_relu untested itself, but the as-is arm of another cause's paired run
    (the user's own training) ended with no dead unit: it is ruled out. A
    symptom whose meter does not cover its cause's definition (the input gain on
    training examples) rules nothing out."""
    session = Session(kb)
    session.answer("q_dead_units", "many")
    session.answer("q_inputs_used", "same")
    session.answer("q_lr_position", "near_divergence")
    before = {d.cause: d.confidence for d in session.diagnoses()}
    assert before["dead_relu"] >= 0.5 and before["inputs_ignored"] >= 0.5
    measured = {"dead_relu": {"as_is": 0.0, "with_change": 0.0, "present_as_is": False, "present_with_change": False,
                              "defining": True},
                "inputs_ignored": {"as_is": 0.3, "with_change": 0.4, "present_as_is": False,
                                   "present_with_change": False, "defining": False}}
    session.set_interventions({"lr_too_high": _outcome("refuted", 2.3, 2.29, symptoms=measured)})
    after = {d.cause: d for d in session.diagnoses()}
    assert after["dead_relu"].confidence <= threshold("interventions.refuted_confidence")
    assert any("ruled out by experiment" in e.text and "dead ReLU units (the worst layer's share) 0" in e.text
               for e in after["dead_relu"].evidence + after["dead_relu"].against)
    assert after["inputs_ignored"].confidence == pytest.approx(before["inputs_ignored"])
    # an arm that ended with dead units keeps the cause
    measured["dead_relu"] = {**measured["dead_relu"], "as_is": 0.9, "present_as_is": True}
    session.set_interventions({"lr_too_high": _outcome("refuted", 2.3, 2.29, symptoms=measured)})
    assert next(d for d in session.diagnoses() if d.cause == "dead_relu").confidence >= 0.5
