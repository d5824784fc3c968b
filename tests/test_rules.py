"""Every rule of the tree, by its stable ID, fires on one example and stays quiet on another.

The examples live in tests/rule_fixtures.yaml (rule ID -> fires / quiet
observations), as rule engines such as semgrep or ruff keep a good and a bad
example per rule. A rule without its pair, a pair for a rule that no longer
exists, an example that names an observation no producer declares, or an
example on the wrong side of its rule fails here.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from loss_advisor.core.engine import evaluate
from loss_advisor.core.kb import condition_observations

FIXTURES = yaml.safe_load((Path(__file__).parent / "rule_fixtures.yaml").read_text(encoding="utf-8"))


def _rule_ids():
    from loss_advisor.core.kb import load_kb
    return list(load_kb().rules())


def test_every_rule_has_a_fixture_pair_and_every_pair_a_rule(kb):
    rules = set(kb.rules())
    missing = sorted(rules - set(FIXTURES))
    stale = sorted(set(FIXTURES) - rules)
    assert not missing, f"rules without fixtures in tests/rule_fixtures.yaml: {missing}"
    assert not stale, f"fixtures for rules the tree no longer has: {stale}"
    for rid, pair in FIXTURES.items():
        assert set(pair) == {"fires", "quiet"}, f"{rid}: needs exactly 'fires' and 'quiet'"


def test_fixtures_name_only_declared_observations():
    from loss_advisor.pipeline.producers import all_declared
    declared = set(all_declared())
    for rid, pair in FIXTURES.items():
        for side in ("fires", "quiet"):
            unknown = set(pair[side]) - declared
            assert not unknown, f"{rid}.{side}: {sorted(unknown)} are not declared by any producer"


@pytest.mark.parametrize("rule_id", _rule_ids())
def test_rule_fires_on_its_example_and_not_on_its_counterexample(kb, rule_id):
    question, rule = kb.rules()[rule_id]
    pair = FIXTURES.get(rule_id)
    assert pair is not None, f"{rule_id} has no fixtures in tests/rule_fixtures.yaml"
    fired, _ = evaluate(rule.when, pair["fires"])
    assert fired is True, f"{rule_id} ({question.id} -> {rule.answer}) does not fire on {pair['fires']}"
    quiet, _ = evaluate(rule.when, pair["quiet"])
    assert quiet is False, (f"{rule_id} ({question.id} -> {rule.answer}) is {quiet} on {pair['quiet']} "
                            "(must be False: decided, and not firing)")
    read = condition_observations(rule.when)
    assert any(pair["fires"].get(n) != pair["quiet"].get(n) for n in read), \
        f"{rule_id}: the two examples agree on everything the rule reads"
