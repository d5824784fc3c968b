"""The knowledge base validates, and every kind of breakage gets one precise error.

Each broken-KB case edits a copy of knowledge/ and asserts the error names
the file, the node and the field. If the shipped KB fails, run
`loss-advisor kb check` for the full list of problems.
"""
from __future__ import annotations

import re

import pytest
import yaml

from loss_advisor.core.kb import CONTRACT_CAUSES, KBError, load_kb


def test_shipped_kb_is_valid_with_declared_observations():
    from loss_advisor.pipeline.producers import all_declared
    kb = load_kb(declared_observations=set(all_declared()))
    assert set(CONTRACT_CAUSES) <= set(kb.causes)
    assert kb.root in kb.questions


def _edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _edit_yaml(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _question(data, qid):
    return next(q for q in data["questions"] if q["id"] == qid)


def _cause(data, cid):
    return next(c for c in data["causes"] if c["id"] == cid)


def _problems(kb_dir, **kwargs) -> str:
    with pytest.raises(KBError) as info:
        load_kb(kb_dir, **kwargs)
    return "\n".join(info.value.problems)


def test_every_evidence_line_fills_whole(kb):
    """fill() replaces whole placeholders only: with every observation given,
    for a rise and for a fall, no brace may be left for the user to read."""
    from loss_advisor.core.engine import fill
    from loss_advisor.core.i18n import LANGS
    from loss_advisor.core.kb import PLACEHOLDER

    for q in kb.questions.values():
        for rule in q.auto:
            for lang in LANGS:
                names = {m.group(1) for m in PLACEHOLDER.finditer(rule.evidence[lang])}
                for value in (0.25, -0.25):
                    text = fill(rule.evidence[lang], {name: value for name in names})
                    assert "{" not in text and "}" not in text, (q.id, rule.id, lang, text)


def test_a_placeholder_cut_short_is_an_error(kb_copy):
    """In an unquoted YAML text, " #" starts a comment: a signed spec's
    "fell #" cut the text inside its placeholder, which fill() then left
    as it was. The check names the text and says why."""
    _edit(kb_copy / "tree.yaml", "en: 'in a short run the loss barely moved ({curve.relative_drop:.1%|fell #|rose #}, "
          "no significant downward trend)'",
          "en: in a short run the loss barely moved ({curve.relative_drop:.1%|fell #|rose #}, "
          "no significant downward trend)")
    msg = _problems(kb_copy)
    assert "field 'auto[7].evidence.en': a brace outside a whole {observation.name:spec} placeholder" in msg
    assert "' #' in an unquoted text starts a comment" in msg


def test_invalid_yaml_names_file_and_line(kb_copy):
    _edit(kb_copy / "tree.yaml", "root: q_symptom", "root: [q_symptom")
    msg = _problems(kb_copy)
    assert "tree.yaml" in msg and re.search(r"line \d+, column \d+", msg) and "invalid YAML" in msg


def test_duplicate_yaml_key_is_an_error(kb_copy):
    _edit(kb_copy / "checklist.yaml", 'category: {ja: "学習率", en: "Learning rate"}',
          'category: {ja: "学習率", ja: "学習率", en: "Learning rate"}')
    msg = _problems(kb_copy)
    assert "checklist.yaml" in msg and "appears twice" in msg


def test_missing_required_field(kb_copy):
    _edit_yaml(kb_copy / "causes" / "learning_rate.yaml", lambda d: _cause(d, "lr_too_high").pop("theory"))
    msg = _problems(kb_copy)
    assert "learning_rate.yaml" in msg and "'lr_too_high'" in msg and "'theory' is a required property" in msg


def test_missing_translation(kb_copy):
    _edit_yaml(kb_copy / "causes" / "data.yaml", lambda d: _cause(d, "label_noise")["title"].pop("en"))
    msg = _problems(kb_copy)
    assert "data.yaml" in msg and "'label_noise'" in msg and "field 'title'" in msg and "'en' is a required property" in msg


def test_empty_text(kb_copy):
    _edit_yaml(kb_copy / "tree.yaml", lambda d: _question(d, "q_trend")["why"].update(ja=""))
    msg = _problems(kb_copy)
    assert "'q_trend'" in msg and "field 'why.ja'" in msg


def test_dangling_next_reference(kb_copy):
    _edit_yaml(kb_copy / "tree.yaml", lambda d: _question(d, "q_trend")["answers"][0].update(next="q_nowhere"))
    msg = _problems(kb_copy)
    assert "tree.yaml" in msg and "'q_trend'" in msg and "next" in msg and "unknown question 'q_nowhere'" in msg


def test_cycle(kb_copy):
    _edit_yaml(kb_copy / "tree.yaml", lambda d: _question(d, "q_batch_mixing")["answers"][0].update(next="q_lr_position"))
    msg = _problems(kb_copy)
    assert "cycle" in msg and "q_lr_position" in msg and "q_batch_mixing" in msg


def test_unknown_cause_in_effects(kb_copy):
    _edit_yaml(kb_copy / "tree.yaml",
               lambda d: _question(d, "q_trend")["answers"][0]["effects"].update(lr_too_hgh=1))
    msg = _problems(kb_copy)
    assert "'q_trend'" in msg and "effects" in msg and "unknown cause 'lr_too_hgh'" in msg


def test_duplicate_cause_id(kb_copy):
    def dup(d):
        d["causes"].append(dict(_cause(d, "lr_too_low")))
    _edit_yaml(kb_copy / "causes" / "learning_rate.yaml", dup)
    msg = _problems(kb_copy)
    assert "'lr_too_low'" in msg and "duplicate cause ID" in msg


def test_contract_cause_missing(kb_copy):
    _edit_yaml(kb_copy / "causes" / "learning_rate.yaml",
               lambda d: d.update(causes=[c for c in d["causes"] if c["id"] != "lr_too_low"]))
    msg = _problems(kb_copy)
    assert "'lr_too_low'" in msg and "contract cause missing" in msg


def test_unreachable_question(kb_copy):
    def orphan(d):
        q = dict(_question(d, "q_trend"))
        q["id"] = "q_orphan"
        q["auto"] = []
        d["questions"].append(q)
    _edit_yaml(kb_copy / "tree.yaml", orphan)
    msg = _problems(kb_copy)
    assert "'q_orphan'" in msg and "not reachable from the root" in msg


def test_cause_that_no_answer_raises(kb_copy):
    def silence(d):
        for q in d["questions"]:
            for a in q["answers"]:
                if a.get("effects", {}).get("batch_mixing", 0) > 0:
                    a["effects"]["batch_mixing"] = -1
    _edit_yaml(kb_copy / "tree.yaml", silence)
    msg = _problems(kb_copy)
    assert "implementation.yaml" in msg and "'batch_mixing'" in msg and "no answer reachable" in msg


def test_rule_answer_not_an_option(kb_copy):
    _edit_yaml(kb_copy / "tree.yaml", lambda d: _question(d, "q_trend")["auto"][0].update(answer="maybe"))
    msg = _problems(kb_copy)
    assert "'q_trend'" in msg and "auto[0].answer" in msg and "'maybe' is not an answer" in msg


def test_bad_operator_value(kb_copy):
    _edit_yaml(kb_copy / "tree.yaml",
               lambda d: _question(d, "q_trend")["auto"][0]["when"]["all"][0].update(value="small"))
    msg = _problems(kb_copy)
    assert "'q_trend'" in msg and "needs a number" in msg


def test_bad_regular_expression(kb_copy):
    _edit_yaml(kb_copy / "tree.yaml",
               lambda d: _question(d, "q_symptom")["auto"][0]["when"]["any"][0].update(value="(unclosed"))
    msg = _problems(kb_copy)
    assert "'q_symptom'" in msg and "bad regular expression" in msg


def test_undeclared_observation(kb_copy):
    _edit_yaml(kb_copy / "tree.yaml",
               lambda d: _question(d, "q_trend")["auto"][0]["when"]["all"][0].update(obs="curve.made_up"))
    msg = _problems(kb_copy, declared_observations={"curve.trend_p"})
    assert "'q_trend'" in msg and "'curve.made_up' is not declared by any probe" in msg


def test_unknown_section(kb_copy):
    _edit_yaml(kb_copy / "causes" / "optimization.yaml", lambda d: _cause(d, "dead_relu").update(section="gradients"))
    msg = _problems(kb_copy)
    assert "optimization.yaml" in msg and "'dead_relu'" in msg and "unknown section 'gradients'" in msg


def test_unknown_property_is_rejected(kb_copy):
    _edit_yaml(kb_copy / "checklist.yaml", lambda d: d["checklist"][0].update(colour="red"))
    msg = _problems(kb_copy)
    assert "checklist.yaml" in msg and "'learning_rate'" in msg and "'colour' was unexpected" in msg


def test_checklist_names_unknown_cause(kb_copy):
    _edit_yaml(kb_copy / "checklist.yaml", lambda d: d["checklist"][0]["causes"].append("lr_just_right"))
    msg = _problems(kb_copy)
    assert "checklist.yaml" in msg and "unknown cause 'lr_just_right'" in msg


def test_missing_file(kb_copy):
    (kb_copy / "checklist.yaml").unlink()
    msg = _problems(kb_copy)
    assert "checklist.yaml" in msg and "file missing" in msg


def test_kb_check_command(cli, kb_copy):
    good = cli("kb", "check", "--lang", "en")
    assert good.code == 0 and "knowledge base OK" in good.out
    _edit_yaml(kb_copy / "tree.yaml", lambda d: _question(d, "q_trend")["answers"][0].update(next="q_nowhere"))
    bad = cli("kb", "check", "--kb", str(kb_copy), "--lang", "en")
    assert bad.code == 1
    assert "unknown question 'q_nowhere'" in bad.err and "Traceback" not in bad.err


def test_each_cause_lists_the_observations_that_decide_it(kb_copy):
    # Derived when the KB loads, from the rules whose answers move the cause
    # by MATERIAL_EFFECT or more: q_data_nonfinite's `found` (+7) decides
    # nonfinite_data; its `clean` rule decides it too (-6 to nonfinite_data).
    kb = load_kb(kb_copy)
    decided = set(kb.causes["nonfinite_data"].observations)
    assert {"data.input_nonfinite_fraction", "data.target_nonfinite_fraction"} <= decided
    assert "lr_sweep.user_over_divergence" not in decided
    assert list(kb.causes["nonfinite_data"].observations) == sorted(decided)

    # Weaken every answer of that question below the material line: its
    # observations stop deciding the cause, with no script to rerun.
    def weaken(d):
        for a in _question(d, "q_data_nonfinite")["answers"]:
            if "nonfinite_data" in a.get("effects", {}):
                a["effects"]["nonfinite_data"] = 1.5 if a["effects"]["nonfinite_data"] > 0 else -1.5
    _edit_yaml(kb_copy / "tree.yaml", weaken)
    weakened = set(load_kb(kb_copy).causes["nonfinite_data"].observations)
    assert "data.input_nonfinite_fraction" not in weakened and weakened < decided


def test_observations_are_not_written_in_cause_files(kb_copy):
    _edit_yaml(kb_copy / "causes" / "data.yaml",
               lambda d: _cause(d, "nonfinite_data").update(observations=["data.input_nonfinite_fraction"]))
    msg = _problems(kb_copy)
    assert "causes/data.yaml" in msg and "'nonfinite_data'" in msg and "observations" in msg


def _rule(data, qid, answer, text_part):
    return next(r for r in _question(data, qid)["auto"] if r["answer"] == answer and text_part in r["evidence"]["en"])


def test_placeholder_the_condition_cannot_fill(kb_copy):
    # Issue 16: lr_too_high's rule fired on the peak ratio alone while its text
    # read curve.nonfinite_step, and the user saw "non-finite from step )".
    def join(d):
        rule = _rule(d, "q_lr_position", "above_divergence", "blew the loss up")
        rule["when"]["all"][2] = {"any": [rule["when"]["all"][2], {"obs": "curve.nonfinite_step", "op": "present"}]}
        rule["evidence"]["en"] += " (non-finite from step {curve.nonfinite_step})"
    _edit_yaml(kb_copy / "tree.yaml", join)
    msg = _problems(kb_copy)
    assert "'q_lr_position'" in msg and "{curve.nonfinite_step} is not promised" in msg
    assert "{curve.peak_ratio:.2g} is not promised" in msg      # either branch may fire alone


def test_placeholder_promised_by_the_condition_passes(kb_copy):
    def require(d):
        rule = _rule(d, "q_lr_position", "above_divergence", "blew the loss up")
        rule["when"]["all"].append({"obs": "curve.nonfinite_step", "op": "present"})
        rule["evidence"]["en"] += " (non-finite from step {curve.nonfinite_step})"
    _edit_yaml(kb_copy / "tree.yaml", require)
    load_kb(kb_copy)


def test_optional_placeholder_needs_a_format_and_a_use(kb_copy):
    def unformatted(d):
        rule = _rule(d, "q_seed_spread", "stable", "seeds")
        for lang in ("ja", "en"):
            rule["evidence"][lang] = rule["evidence"][lang].replace("{seeds.runs:d}", "{seeds.runs}")
    _edit_yaml(kb_copy / "tree.yaml", unformatted)
    msg = _problems(kb_copy)
    assert "{seeds.runs} is not promised" in msg and "'seeds.runs' is not a formatted placeholder" in msg


def test_stale_optional_entry(kb_copy):
    _edit_yaml(kb_copy / "tree.yaml",
               lambda d: _rule(d, "q_trend", "real", "").setdefault("optional", []).append("curve.trend_p"))
    msg = _problems(kb_copy)
    assert "'q_trend'" in msg and "'curve.trend_p' is not a formatted placeholder" in msg


def test_guaranteed_present_follows_the_logic():
    from loss_advisor.core.kb import guaranteed_present as g
    a, b, c = ({"obs": f"x.{n}", "op": ">", "value": 0} for n in "abc")
    assert g(a) == {frozenset({"x.a"})}
    assert g({"all": [a, b]}) == {frozenset({"x.a"}), frozenset({"x.b"})}
    assert g({"any": [a, b]}) == {frozenset({"x.a", "x.b"})}
    assert g({"any": [a, {"all": [a, c]}]}) == {frozenset({"x.a"}), frozenset({"x.a", "x.c"})}
    assert g({"obs": "x.a", "op": "absent"}) == set()
    assert g({"not": {"obs": "x.a", "op": "absent"}}) == {frozenset({"x.a"})}
    assert g({"not": {"any": [a, b]}}) == {frozenset({"x.a"}), frozenset({"x.b"})}   # both decided False
    assert g({"not": {"all": [a, b]}}) == {frozenset({"x.a", "x.b"})}


def test_duplicate_rule_id(kb_copy):
    _edit_yaml(kb_copy / "tree.yaml", lambda d: _question(d, "q_trend")["auto"][1].update(id="symptom_nan"))
    msg = _problems(kb_copy)
    assert "'q_trend'" in msg and "auto[1].id" in msg and "duplicate rule ID 'symptom_nan'" in msg
    assert "first used in 'q_symptom'" in msg


def test_missing_or_malformed_rule_id(kb_copy):
    def edit(d):
        del _question(d, "q_trend")["auto"][0]["id"]
        _question(d, "q_shuffle")["auto"][0]["id"] = "Shuffle-Grouped"
    _edit_yaml(kb_copy / "tree.yaml", edit)
    msg = _problems(kb_copy)
    assert "'q_trend'" in msg and "'id' is a required property" in msg
    assert "'Shuffle-Grouped' does not match" in msg


def test_validated_kb_is_cached_by_content(kb_copy, tmp_path, monkeypatch):
    import loss_advisor.core.kb as kbmod
    monkeypatch.setenv("LOSS_ADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    first = load_kb(kb_copy)
    assert len(list((tmp_path / "cache").glob("kb-*.json"))) == 1

    def no_validation(*args, **kwargs):
        raise AssertionError("validated although the files did not change")
    monkeypatch.setattr(kbmod, "_load_and_validate", no_validation)
    again = load_kb(kb_copy)
    assert again == first and again.causes["nonfinite_data"].observations == first.causes["nonfinite_data"].observations
    monkeypatch.undo()
    monkeypatch.setenv("LOSS_ADVISOR_CACHE_DIR", str(tmp_path / "cache"))

    # Any edit misses the cache and is validated again.
    _edit_yaml(kb_copy / "tree.yaml", lambda d: _question(d, "q_trend")["answers"][0].update(next="q_nowhere"))
    assert "unknown question 'q_nowhere'" in _problems(kb_copy)


def test_a_cached_kb_names_the_folder_it_was_asked_for(kb_copy, tmp_path, monkeypatch):
    import shutil
    monkeypatch.setenv("LOSS_ADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    twin = tmp_path / "twin" / "knowledge"
    shutil.copytree(kb_copy, twin)
    assert load_kb(kb_copy).source == str(kb_copy)
    assert load_kb(twin).source == str(twin)          # same files, served from the cache


def test_a_damaged_cache_entry_is_ignored(kb_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("LOSS_ADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    expected = load_kb(kb_copy)
    for entry in (tmp_path / "cache").glob("kb-*.json"):
        entry.write_text('{"docs": [["tree.yaml", "tree_file", {"root": 1}]], "source": ""}', encoding="utf-8")
    assert load_kb(kb_copy) == expected


def test_kb_check_and_an_empty_cache_setting_always_validate(kb_copy, tmp_path, monkeypatch):
    import loss_advisor.core.kb as kbmod
    calls = []
    real = kbmod._load_and_validate
    monkeypatch.setattr(kbmod, "_load_and_validate", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setenv("LOSS_ADVISOR_CACHE_DIR", "")
    load_kb(kb_copy)
    load_kb(kb_copy)
    assert len(calls) == 2 and kbmod.cache_dir() is None
    monkeypatch.setenv("LOSS_ADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    load_kb(kb_copy)
    load_kb(kb_copy, declared_observations=None, cache=False)
    from loss_advisor.pipeline.producers import all_declared
    load_kb(kb_copy, declared_observations=set(all_declared()))
    assert len(calls) == 5


def test_every_threshold_is_read_by_a_probe_and_every_read_exists(kb):
    # The lines probes draw while measuring live in knowledge/thresholds.yaml
    # with their reasons; a value left in code or a stale entry fails here.
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in (root / "probes").glob("*.py"))
    read = set(re.findall(r'threshold\("([a-z_]+\.[a-z_]+)"\)', source))
    # the engine and the pipeline read theirs from the loaded KB (the interventions' ranking lines)
    engine = "\n".join(p.read_text(encoding="utf-8") for p in (root / "loss_advisor").rglob("*.py"))
    read |= set(re.findall(r'(?:_threshold\(|thresholds\.get\()"([a-z_]+\.[a-z_]+)"', engine))
    assert read, "no probe reads a threshold"
    assert read <= set(kb.thresholds), f"probes read thresholds the KB lacks: {sorted(read - set(kb.thresholds))}"
    assert set(kb.thresholds) <= read, f"thresholds no probe reads: {sorted(set(kb.thresholds) - read)}"


def test_probes_use_the_values_in_the_knowledge_base(kb):
    from loss_advisor.probes import labels, lr_sweep, overfit_batch
    assert overfit_batch.FIT_RATIO == kb.thresholds["overfit_batch.fit_ratio"]
    assert lr_sweep.DIVERGE_FACTOR == kb.thresholds["lr_sweep.diverge_factor"]
    assert labels.LEARNED == kb.thresholds["labels.learned_ratio"]


def test_threshold_needs_a_reason_and_a_unique_id(kb_copy):
    def edit(d):
        d["thresholds"][0].pop("reason")
        d["thresholds"][2]["id"] = d["thresholds"][1]["id"]
    _edit_yaml(kb_copy / "thresholds.yaml", edit)
    msg = _problems(kb_copy)
    assert "thresholds.yaml" in msg and "'reason' is a required property" in msg
    _edit_yaml(kb_copy / "thresholds.yaml", lambda d: d["thresholds"][0].update(reason="because it works best"))
    msg = _problems(kb_copy)
    assert "node 'lr_sweep.diverge_factor'" in msg and "duplicate threshold ID" in msg


def test_a_missing_threshold_is_one_clear_error():
    from loss_advisor.core.kb import threshold
    with pytest.raises(KBError, match="threshold 'overfit_batch.nope' is missing"):
        threshold("overfit_batch.nope")
