"""The causes of today's training (section 11) and of DDP (section 12) in the tree.

Each of the nine is reached the way a user reaches it: a symptom at the root,
"not sure" wherever a question does not concern them, and the answer about
their set-up that names the fault. The diagnosis must then put that cause
first, at 0.5 or above, having asked the question that decided it.
"""
from __future__ import annotations

import pytest

from loss_advisor.core.engine import Session

TODAYS_TRAINING = (
    "lr_schedule_misconfigured", "mixed_precision_misconfigured", "accumulation_not_scaled",
    "padding_in_loss", "attention_mask_wrong", "gradient_clipping_too_strong", "over_regularized",
)
DISTRIBUTED = ("sampler_epoch_not_set", "ranks_out_of_sync")
NEW_QUESTIONS = (
    "q_modern_setup", "q_lr_schedule", "q_precision", "q_accumulation", "q_padding",
    "q_attention_mask", "q_clipping", "q_regularization", "q_ddp", "q_sampler_epoch", "q_rank_sync",
)


def walk(kb, symptom: str, answers: dict[str, str]) -> Session:
    """Answer the root with `symptom`, each question in `answers` as given, any
    other with its answer that moves nothing ("not sure"), until the path ends."""
    session = Session(kb, "en")
    session.answer(kb.root, symptom)
    for _ in range(len(kb.questions)):
        q = session.current()
        if q is None:
            break
        if q.id in answers:
            session.answer(q.id, answers[q.id])
            continue
        neutral = [a for a in q.answers if not a.effects]
        assert neutral, f"{q.id} has no neutral answer; the test must answer it"
        session.answer(q.id, "unknown" if "unknown" in [a.id for a in neutral] else neutral[0].id)
    assert session.current() is None, "the path did not end"
    for qid, aid in answers.items():
        assert session.record(qid) is not None and session.record(qid).answer == aid, \
            f"the walk never asked {qid}"
    return session


SETUP = {"q_modern_setup": "some"}
CASES = [
    ("lr_schedule_misconfigured", "plateau", {**SETUP, "q_lr_schedule": "epoch_scheduler_every_batch"}),
    ("lr_schedule_misconfigured", "erratic", {**SETUP, "q_lr_schedule": "no_warmup"}),
    ("mixed_precision_misconfigured", "flat", {**SETUP, "q_precision": "fp16_no_scaler"}),
    ("mixed_precision_misconfigured", "flat", {**SETUP, "q_precision": "scaler_bypassed"}),
    ("accumulation_not_scaled", "erratic", {**SETUP, "q_accumulation": "not_divided"}),
    ("padding_in_loss", "plateau", {**SETUP, "q_padding": "counted", "q_attention_mask": "hf_mask"}),
    ("attention_mask_wrong", "flat", {**SETUP, "q_padding": "ignored", "q_attention_mask": "inverted"}),
    ("gradient_clipping_too_strong", "slow", {**SETUP, "q_clipping": "every_step"}),
    ("over_regularized", "plateau", {**SETUP, "q_regularization": "lifting_helps"}),
    ("over_regularized", "val_up", {**SETUP, "q_regularization": "strong_underfits"}),
    ("sampler_epoch_not_set", "erratic", {**SETUP, "q_ddp": "ddp", "q_sampler_epoch": "not_called"}),
    ("ranks_out_of_sync", "checkup", {**SETUP, "q_ddp": "ddp", "q_sampler_epoch": "called",
                                      "q_rank_sync": "differ"}),
    ("ranks_out_of_sync", "slow", {**SETUP, "q_ddp": "ddp", "q_rank_sync": "bypass"}),
]


@pytest.mark.parametrize("cause, symptom, answers", CASES, ids=[f"{c}-{list(a.values())[-1]}" for c, _, a in CASES])
def test_each_new_cause_is_named_first_by_the_users_answers(kb, cause, symptom, answers):
    top = walk(kb, symptom, answers).diagnoses()[0]
    assert (top.cause, top.confidence >= 0.5) == (cause, True), (top.cause, top.confidence)
    # the deciding answer is the evidence shown for it
    assert any(e.question in answers and e.weight >= 4 for e in top.evidence)


def test_the_nine_are_all_covered():
    assert {c for c, _, _ in CASES} == set(TODAYS_TRAINING + DISTRIBUTED)


def test_the_tree_has_a_question_for_each_in_its_section(kb):
    for qid in NEW_QUESTIONS:
        assert kb.questions[qid].section in ("todays_training", "parallel")
    for cid in TODAYS_TRAINING:
        assert kb.causes[cid].section == "todays_training"
    for cid in DISTRIBUTED:
        assert kb.causes[cid].section == "parallel"


def test_not_sure_everywhere_visits_every_new_question(kb):
    session = walk(kb, "checkup", {})
    asked = {r.question for r in session.path()}
    assert set(NEW_QUESTIONS) <= asked
    top = session.diagnoses()[0]
    assert top.confidence < 0.5           # nothing but "not sure": no accusation


def test_a_plain_set_up_leaves_at_the_gate_and_rules_the_nine_out(kb):
    session = walk(kb, "flat", {"q_modern_setup": "none"})
    asked = {r.question for r in session.path()}
    assert not (set(NEW_QUESTIONS) - {"q_modern_setup"}) & asked
    conf = {d.cause: d.confidence for d in session.diagnoses()}
    assert all(conf[c] < 0.01 for c in TODAYS_TRAINING + DISTRIBUTED)


def test_one_process_skips_the_ddp_questions(kb):
    session = walk(kb, "flat", {**SETUP, "q_ddp": "single"})
    asked = {r.question for r in session.path()}
    assert "q_sampler_epoch" not in asked and "q_rank_sync" not in asked
    conf = {d.cause: d.confidence for d in session.diagnoses()}
    assert conf["sampler_epoch_not_set"] < 0.01 and conf["ranks_out_of_sync"] < 0.01


def test_unpadded_data_skips_the_mask_question(kb):
    session = walk(kb, "flat", {**SETUP, "q_padding": "no_sequences"})
    assert "q_attention_mask" not in {r.question for r in session.path()}


def test_the_regularisation_probe_names_over_regularized_before_underfitting(kb):
    # the answer the regularisation probe gives to q_capacity (train and
    # held-out loss both fall once weight decay and Dropout are lifted)
    session = Session(kb, "en")
    session.observe({"regularization.train_gain": 0.5, "regularization.heldout_gain": 0.3,
                     "regularization.weight_decay": 0.1, "regularization.dropout": 0.6}, source="regularization")
    assert session.record("q_capacity").answer == "over_regularised"
    ranked = [d.cause for d in session.diagnoses() if d.confidence >= 0.5]
    assert ranked[:2] == ["over_regularized", "underfitting"]
