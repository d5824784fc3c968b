"""The engine: navigation, answers by users and by observations, ranking, persistence."""
from __future__ import annotations

import json

import pytest

from loss_advisor.core.engine import AnswerError, Session, evaluate, fill


def walk_towards(session: Session, cause: str) -> list[tuple[str, str]]:
    """Answer every question on the path with the answer that most favours `cause`."""
    path = []
    while (q := session.current()) is not None:
        best = max(q.answers, key=lambda a: (a.effects.get(cause, 0.0), -sum(abs(w) for c, w in a.effects.items() if c != cause)))
        session.answer(q.id, best.id)
        path.append((q.id, best.id))
    return path


def test_every_cause_is_reached_by_answers_alone(kb):
    for cause in kb.causes:
        session = Session(kb, "en")
        # Start from the root answer whose branch favours the cause most, then walk.
        root = kb.questions[kb.root]
        starts = sorted(root.answers, key=lambda a: -a.effects.get(cause, 0.0))
        reached = False
        for start in starts:
            session = Session(kb, "en")
            session.answer(root.id, start.id)
            walk_towards(session, cause)
            top = session.diagnoses()[0]
            if top.cause == cause and top.confidence >= 0.5:
                reached = True
                break
        assert reached, f"no path of answers makes {cause!r} the top diagnosis"


def test_next_question_follows_answers_and_back_undoes(kb):
    s = Session(kb, "en")
    assert s.current().id == kb.root
    s.answer(kb.root, "nan")
    assert s.current().id == "q_nan_when"
    s.answer("q_nan_when", "first")
    assert s.current().id == "q_data_nonfinite"
    assert s.back() == "q_nan_when"
    assert s.current().id == "q_nan_when"
    assert s.back() == kb.root and s.current().id == kb.root
    assert s.back() is None


def test_going_back_changes_the_ranking(kb):
    s = Session(kb, "en")
    s.answer(kb.root, "nan")
    s.answer("q_nan_when", "first")
    s.answer("q_data_nonfinite", "found")
    assert s.diagnoses()[0].cause == "nonfinite_data"
    s.back()
    s.answer("q_data_nonfinite", "clean")
    assert s.diagnoses()[0].cause != "nonfinite_data"


def test_an_answer_that_is_not_offered_is_rejected(kb):
    s = Session(kb, "en")
    with pytest.raises(AnswerError, match="not an answer"):
        s.answer(kb.root, "everything")
    with pytest.raises(AnswerError, match="no question"):
        s.answer("q_unknown", "yes")


def test_observations_answer_questions_and_remember_the_probe(kb):
    s = Session(kb, "en")
    changed = s.observe({"data.input_nonfinite_fraction": 0.01, "data.target_nonfinite_fraction": 0.0,
                         "data.examples": 100}, source="data")
    assert "q_data_nonfinite" in changed
    rec = s.record("q_data_nonfinite")
    assert rec.answer == "found" and rec.by_probe and rec.source == "probe:data"
    assert rec.rule_id == "data_nonfinite_found" and s.rule_of(rec) is kb.rules()["data_nonfinite_found"][1]
    line = s.describe(rec)
    assert "1.00%" in line and "data.input_nonfinite_fraction = 0.01" in line and "threshold > 0" in line


def test_user_overrides_a_probe_answer_and_retract_restores_it(kb):
    s = Session(kb, "en")
    s.observe({"lr_sweep.user_over_divergence": 5.0, "lr_sweep.user_lr": 1.0,
               "lr_sweep.divergence_lr": 0.2}, source="lr_sweep")
    assert s.record("q_lr_position").answer == "above_divergence"
    s.answer("q_lr_position", "in_range")
    assert s.record("q_lr_position").answer == "in_range" and not s.record("q_lr_position").by_probe
    s.retract("q_lr_position")
    assert s.record("q_lr_position").answer == "above_divergence"


@pytest.mark.parametrize("obs, question, answer", [
    ({"init_loss.output_kind": "probabilities", "init_loss.loss_kind": "cross_entropy"}, "q_output_activation", "probs_into_logit_loss"),
    ({"init_loss.output_kind": "logits", "init_loss.loss_kind": "cross_entropy"}, "q_output_activation", "fits"),
    ({"init_loss.loss_batch_scaling": 2.0}, "q_loss_reduction", "sums"),
    ({"init_loss.loss_batch_scaling": 1.0}, "q_loss_reduction", "mean"),
    ({"data.order_grouping": 0.9}, "q_shuffle", "grouped"),
    ({"data.raw_pixels": True, "data.input_is_index": False}, "q_input_scale", "raw_pixels"),
    ({"train_step.grads_accumulate": True, "train_step.calls": 30}, "q_zero_grad", "accumulates"),
    ({"train_step.stale_grad_at_step": True, "train_step.empty_grad_at_step": False}, "q_step_order", "wrong"),
    ({"init_loss.error": "RuntimeError: Expected all tensors to be on the same device"}, "q_step_error", "device"),
    ({"init_loss.error": "RuntimeError: mat1 and mat2 must have the same dtype, but got Double and Float"}, "q_step_error", "device"),
    ({"gradients.first_last_ratio": 1e-5, "gradients.layers": 10}, "q_grad_flow", "vanishing"),
    ({"curve.nonfinite_step": 0, "curve.nonfinite_at": 0.0}, "q_nan_when", "first"),
])
def test_observations_answer_the_questions_they_name(kb, obs, question, answer):
    s = Session(kb, "en")
    s.observe(obs, source="test")
    rec = s.record(question)
    assert rec is not None and rec.answer == answer


def test_question_observations_cover_conditions_and_text():
    # What the TUI measures for a question: every observation a rule reads,
    # however deep in not/any/all, and every one its evidence text shows.
    from loss_advisor.core.kb import Answer, Question, Rule
    text = {"ja": "x", "en": "x"}
    rules = (
        Rule("a", {"all": [{"obs": "p.one", "op": ">", "value": 1},
                           {"not": {"any": [{"obs": "p.two", "op": "present"}, {"obs": "q.three", "op": "==", "value": 0}]}}]},
             {"ja": "{p.shown:.1f}", "en": "{p.shown:.1f} and {r.label}"}, "a reason long enough", id="r1"),
        Rule("b", {"obs": "q.four", "op": "absent"}, text, "a reason long enough", id="r2"),
    )
    q = Question("q_x", None, text, text, (Answer("a", text, None, {}), Answer("b", text, None, {})), rules)
    assert q.observations() == {"p.one", "p.two", "q.three", "p.shown", "r.label", "q.four"}


def test_shipped_questions_read_what_their_rules_name(kb):
    assert {"curve.nonfinite_step", "curve.nonfinite_at"} == kb.questions["q_nan_when"].observations()
    assert "lr_sweep.user_over_divergence" in kb.questions["q_lr_position"].observations()
    assert "lr_sweep.user_over_divergence" not in kb.questions["q_nan_when"].observations()


def test_missing_observations_leave_a_question_open(kb):
    s = Session(kb, "en")
    s.observe({"lr_sweep.user_lr": 0.1}, source="lr_sweep")
    assert s.record("q_lr_position") is None


def test_three_valued_conditions():
    obs = {"a.x": 1.0, "a.s": "RuntimeError: boom"}
    assert evaluate({"obs": "a.x", "op": ">", "value": 0}, obs)[0] is True
    assert evaluate({"obs": "a.missing", "op": ">", "value": 0}, obs)[0] is None
    assert evaluate({"any": [{"obs": "a.missing", "op": ">", "value": 0}, {"obs": "a.x", "op": "<", "value": 0}]}, obs)[0] is None
    assert evaluate({"all": [{"obs": "a.missing", "op": ">", "value": 0}, {"obs": "a.x", "op": "<", "value": 0}]}, obs)[0] is False
    assert evaluate({"obs": "a.s", "op": "matches", "value": "boom$"}, obs)[0] is True
    assert evaluate({"obs": "a.missing", "op": "absent"}, obs)[0] is True
    assert evaluate({"not": {"obs": "a.x", "op": "==", "value": 1.0}}, obs)[0] is False


def test_fill_formats_only_observations():
    assert fill("lr={a.lr:.2g} at {a.step}", {"a.lr": 0.012345, "a.step": 7}) == "lr=0.012 at 7"
    assert fill("x={a.missing:.2g}{a.gone}", {}) == "x=—"
    assert fill("{__class__}", {}) == "{__class__}"


def test_ranking_is_deterministic_and_confidences_are_probabilities(kb):
    def run():
        s = Session(kb, "en")
        s.answer(kb.root, "erratic")
        s.answer("q_batch_noise", "noisy")
        return [(d.cause, d.confidence) for d in s.diagnoses()]
    first, second = run(), run()
    assert first == second
    assert all(0.0 <= c <= 1.0 for _, c in first)
    assert [c for _, c in first] == sorted((c for _, c in first), reverse=True)


def test_reassurance_yields_to_a_fault(kb):
    s = Session(kb, "en")
    s.answer(kb.root, "slow")
    s.answer("q_trend", "real")
    alone = {d.cause: d.confidence for d in s.diagnoses()}["actually_decreasing"]
    assert alone >= 0.5
    s.observe({"init_loss.loss_requires_grad": False, "init_loss.grad_nonzero_fraction": 0.0,
               "init_loss.trainable_params": 1000}, source="init_loss")
    ranked = {d.cause: d.confidence for d in s.diagnoses()}
    assert ranked["constant_loss"] > 0.8 and ranked["actually_decreasing"] < 0.15


def test_a_fresh_session_accuses_nothing(kb):
    assert all(d.confidence < 0.5 for d in Session(kb, "en").diagnoses())


def test_save_and_resume(kb):
    s = Session(kb, "ja")
    s.observe({"data.order_grouping": 0.8}, source="data")
    s.answer(kb.root, "erratic")
    s.answer("q_batch_noise", "fine")
    saved = json.loads(json.dumps(s.to_dict()))
    again = Session.from_dict(kb, saved)
    assert again.lang == "ja" and again.history == s.history
    assert [(d.cause, d.confidence) for d in again.diagnoses()] == [(d.cause, d.confidence) for d in s.diagnoses()]
    assert again.record("q_shuffle").source == "probe:data"


def test_resume_rejects_an_answer_the_kb_does_not_offer(kb):
    with pytest.raises(AnswerError):
        Session.from_dict(kb, {"answers": [{"question": kb.root, "answer": "nope"}]})


def test_checklist_marks_failed_checked_unknown(kb):
    s = Session(kb, "en")
    s.observe({"data.input_nonfinite_fraction": 0.5, "data.target_nonfinite_fraction": 0.0}, source="data")
    status = dict(s.checklist())
    assert status["data"] == "failed"
    assert status["logging"] == "unknown"
    s.observe({"lr_sweep.user_over_divergence": 0.01, "lr_sweep.user_over_suggested": 0.5}, source="lr_sweep")
    assert dict(s.checklist())["learning_rate"] == "checked"


def test_both_languages_describe_answers(kb):
    for lang in ("ja", "en"):
        s = Session(kb, lang)
        s.answer(kb.root, "nan")
        line = s.describe(s.record(kb.root))
        assert line and ("回答" in line if lang == "ja" else "you answered" in line)
