"""Padding, attention masks and over-regularisation (issue 14): how padding is
found, and that fixing only the mistake of each fault example removes its
diagnosis (the probes that speak to it, through the JSON). The examples'
own top diagnoses are checked in test_examples.py.
"""
from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from conftest import EXAMPLES
from loss_advisor.probes.sequence import tail_padding


def test_a_value_filling_tails_of_different_lengths_is_padding():
    ids = torch.tensor([[5, 6, 7, 0, 0], [5, 6, 0, 0, 0], [4, 3, 2, 1, 0], [9, 9, 9, 9, 9]])
    value, mask = tail_padding(ids)
    assert value == 0
    assert mask.tolist() == [[False, False, False, True, True], [False, False, True, True, True],
                             [False, False, False, False, True], [False] * 5]


def test_an_end_token_in_every_row_is_not_padding():
    ids = torch.tensor([[5, 6, 7, 2], [8, 6, 5, 2], [4, 3, 1, 2]])        # one-position tail, every row
    assert tail_padding(ids) is None


def test_fixed_length_rows_and_features_are_not_padding():
    g = torch.Generator().manual_seed(0)
    assert tail_padding(torch.randint(1, 50, (32, 12), generator=g)) is None     # no common tail value
    assert tail_padding(torch.randn(8, 6)) is None                               # floats: not token IDs
    assert tail_padding(torch.zeros(8, 6, dtype=torch.long)) is None             # nothing but one value


def test_a_negative_label_filling_one_length_of_tail_is_padding():
    y = torch.tensor([[1, 2, -100], [3, 1, -100], [2, 2, -100]])
    value, mask = tail_padding(y)
    assert value == -100 and mask[:, -1].all()


def probe(cli, path, probes):
    result = cli("probe", f"{path}:target", "--format", "json", "--lang", "en", "--quiet", "--probes", probes)
    assert result.code == 0, result.err[-2000:]
    data = json.loads(result.out)
    return {d["cause"]: d["confidence"] for d in data["diagnoses"]}, {p["name"]: p for p in data["probes"]}


# Each fault example, and the same set-up with only its mistake fixed.
FIXES = {
    "padding_counted_tagger": ("padding_in_loss", "sequence", '''
    ce = nn.CrossEntropyLoss(ignore_index=0)          # the fix: the pad tag is ignored
    setup["loss_fn"] = lambda out, t: ce(out.reshape(-1, out.shape[-1]), t.reshape(-1))
'''),
    "dropout_keep_prob": ("over_regularized", "regularization_fit,regularization", '''
    for m in setup["model"].modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.1                                 # the fix: p is the probability of dropping
'''),
    "weight_decay_too_strong": ("over_regularized", "regularization_fit,regularization", '''
    setup["optimizer"] = lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
'''),
}


@pytest.mark.parametrize("name", sorted(FIXES))
def test_fixing_only_the_mistake_removes_the_diagnosis(cli, tmp_path, name):
    cause, probes, fix = FIXES[name]
    faulty, records = probe(cli, EXAMPLES / f"{name}.py", probes)
    assert faulty.get(cause, 0) >= 0.5, (faulty, records)
    fixed_file = tmp_path / f"fixed_{name}.py"
    fixed_file.write_text(
        "import sys\nimport torch\nfrom torch import nn\n"
        f"sys.path.insert(0, {str(EXAMPLES)!r})\n"
        f"from {name} import target as faulty_target\n\n\n"
        "def target(seed=0):\n    setup = faulty_target(seed)\n" + fix + "    return setup\n", encoding="utf-8")
    fixed, records = probe(cli, fixed_file, probes)
    assert fixed.get(cause, 0) < 0.5, (fixed, records)


def test_inverted_mask_against_the_correct_one(cli):
    faulty, records = probe(cli, EXAMPLES / "inverted_padding_mask.py", "sequence")
    assert faulty["attention_mask_wrong"] >= 0.5
    findings = records["sequence"]["findings"]
    assert findings["mask_ignores_real"] == 1.0 and findings["mask_ignores_padding"] == 0.0
    fixed, records = probe(cli, EXAMPLES / "healthy_transformer.py", "sequence")   # only mask_for differs
    assert fixed.get("attention_mask_wrong", 0) < 0.5
    assert records["sequence"]["findings"]["padding_influence"] < 1e-3


def test_a_transformer_without_any_mask_attends_to_padding(cli, tmp_path):
    path = tmp_path / "no_mask.py"
    path.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(EXAMPLES)!r})\n"
        "from _transformer import setup\n\n\n"
        "def target(seed=0):\n    return setup(seed, mask_for=lambda attention_mask: None)\n", encoding="utf-8")
    found, records = probe(cli, path, "sequence")
    assert records["sequence"]["findings"]["padding_influence"] >= 1e-3
    assert found["attention_mask_wrong"] >= 0.5


def test_regularisation_fit_puts_dropout_and_weights_back():
    from loss_advisor.pipeline.runner import run_probes
    from loss_advisor.probing.target import from_object

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.9), nn.Linear(16, 3))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x, y = torch.randn(64, 6), torch.randint(0, 3, (64,))
    setup = {"model": model, "loss_fn": nn.CrossEntropyLoss(), "train_data": [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)],
             "optimizer": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=5.0)}
    outcome = run_probes(from_object(setup), probes=["regularization_fit"])
    assert outcome.observations["regularization_fit.dropout_max"] == 0.9
    assert outcome.observations["regularization_fit.decay_per_step"] == pytest.approx(5e-3)
    assert model[2].p == 0.9
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
