"""Set-up shapes: what the user's model does to its inputs, and (with
hypothesis) every shape of model, output and batch the contract allows.

The data probe judges the input scale as the first weight layer sees the
inputs: a model that standardises them inside forward() has normalised
inputs, while one that merely reshapes or reorders them has not changed
their scale.
"""
from __future__ import annotations

import json

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from loss_advisor.probes.data import in_model_view


def test_values_changed_on_the_way_are_the_view():
    x = torch.arange(24.0).reshape(4, 6) * 40
    seen = (x - x.mean(0)) / x.std(0)
    view = in_model_view(x, seen)
    assert view is not None and view.shape == x.shape
    assert torch.allclose(view, seen)


def test_reshaped_or_reordered_inputs_are_not_a_transformation():
    x = torch.rand(4, 3, 5, 5) * 255
    assert in_model_view(x, x.flatten(1)) is None                    # nn.Flatten before the first Linear
    assert in_model_view(x, x.permute(0, 2, 3, 1).contiguous()) is None   # channels-last
    assert in_model_view(x, None) is None


def test_a_layer_that_sees_something_else_is_not_a_view():
    x = torch.rand(8, 10)
    assert in_model_view(x, torch.rand(8, 32)) is None               # an embedding's output, another input
    assert in_model_view(x, torch.randint(0, 5, (8, 10))) is None    # integer values


def test_first_layer_input_stops_at_the_first_weight_layer():
    from loss_advisor.probes.data import first_layer_input
    from loss_advisor.probing.harness import Harness
    from loss_advisor.probing.target import Target

    calls = []

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("mean", torch.full((6,), 100.0))
            self.body = nn.Sequential(nn.Dropout(0.5), nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 2))

        def forward(self, x):
            out = self.body(x - self.mean)
            calls.append("finished")
            return out

    x = torch.rand(16, 6) + 100
    target = Target(model=Net(), loss_fn=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.SGD(p, lr=0.1),
                    train_data=[(x, torch.zeros(16, dtype=torch.long))])
    h = Harness(target, "cpu")
    seen = first_layer_input(h, x)
    assert torch.allclose(seen, x - 100)          # Dropout is off: the values as they are, not rescaled
    assert calls == []                            # the forward pass stopped at the first Linear


def test_non_finite_inputs_passed_through_are_not_a_transformation():
    x = torch.rand(8, 5)
    x[0, 0] = float("nan")
    x[1, 1] = float("inf")
    assert in_model_view(x, x.clone()) is None


def test_a_cast_to_half_precision_is_not_a_transformation():
    x = torch.randn(8, 5) * 300
    assert in_model_view(x, x.to(torch.bfloat16)) is None
    assert in_model_view(x, (x / 255).to(torch.bfloat16)) is not None


# --- every set-up shape: exit 0 and contract JSON ---------------------------------------------------

# The set-up a generated CONFIG describes: a small model whose output comes
# as a tensor, a tuple, a dict, an object with .logits, or an object with
# .logits and the .loss the model computed itself from labels passed as a
# keyword (Hugging Face style: inputs are a dict, called as model(**inputs));
# batches as pairs, dicts, lists or namedtuples (split_batch);
# a map-style or an iterable dataset without len; float32, bf16 or fp16
# weights; a head left on the meta device (never materialised); and the
# tasks of today's training: multi-label, a tag per position (sequence) and
# next-token prediction (language_modeling) on padded token IDs, with -100
# at padding.
SETUP = '''
import collections
import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset, TensorDataset

Row = collections.namedtuple("Row", "features label")


class Output:
    def __init__(self, logits, loss=None):
        self.logits, self.loss = logits, loss


class Net(nn.Module):
    def __init__(self, features, outputs, form, cast_inputs, dtype, criterion, vocab=0, meta=False):
        super().__init__()
        self.embed = nn.Embedding(vocab, features, padding_idx=0).to(dtype) if vocab else None
        self.body = nn.Sequential(nn.Linear(features, 16), nn.ReLU(), nn.Linear(16, outputs)).to(dtype)
        if meta:
            self.body[2] = self.body[2].to("meta")          # a new head never materialised
        self.form, self.cast_inputs, self.dtype, self.criterion = form, cast_inputs, dtype, criterion

    def forward(self, x, labels=None):
        if self.embed is not None:
            x = self.embed(x)
        if self.cast_inputs:
            x = x.to(self.dtype)
        y = self.body(x)
        if self.form == "tuple":
            return y, y.detach().abs().mean()
        if self.form == "dict":
            return {"logits": y, "hidden": x}
        if self.form == "object":
            return Output(y)
        if self.form == "loss_inside":
            return Output(y, flat_loss(self.criterion, y, labels) if labels is not None else None)
        return y


def logits(out):
    if isinstance(out, tuple):
        return out[0]
    if isinstance(out, dict):
        return out["logits"]
    return getattr(out, "logits", out)


def flat_loss(criterion, y, targets):
    if y.dim() == 3:                                     # (B, T, C): a class per position
        return criterion(y.float().reshape(-1, y.shape[-1]), targets.reshape(-1))
    return criterion(y.float(), targets)


class Stream(IterableDataset):
    def __init__(self, rows):
        self.rows = rows

    def __iter__(self):
        return iter(self.rows)


def target():
    c = CONFIG
    torch.manual_seed(c["seed"])
    g = torch.Generator().manual_seed(c["seed"])
    n, f = c["examples"], c["features"]
    x = torch.randn(n, f, generator=g) * c["scale"]
    task = c["task"]
    vocab = 0
    if task in ("sequence", "language_modeling"):
        vocab, steps = 12, 7
        lengths = torch.randint(2, steps + 1, (n,), generator=g)
        real = torch.arange(steps)[None, :] < lengths[:, None]
        x = torch.randint(1, vocab, (n, steps), generator=g) * real
        if task == "sequence":
            outputs, y = 4, x % 4
        else:
            outputs, y = vocab, torch.cat([x[:, 1:], torch.zeros_like(x[:, :1])], dim=1)
            real = torch.cat([real[:, 1:], torch.zeros_like(real[:, :1])], dim=1)
        y = torch.where(real, y, torch.full_like(y, -100))
        base = nn.CrossEntropyLoss()
    elif task == "classification":
        outputs, y, base = 3, torch.randint(0, 3, (n,), generator=g), nn.CrossEntropyLoss()
    elif task == "binary":
        outputs, y, base = 1, (x[:, :1] > 0).float(), nn.BCEWithLogitsLoss()
    elif task == "multilabel":
        outputs, y, base = 3, (torch.rand(n, 3, generator=g) > 0.5).float(), nn.BCEWithLogitsLoss()
    else:
        outputs, y, base = 1, x[:, :1] * 2 + 1, nn.MSELoss()
    dtype = {"float32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[c["dtype"]]
    model = Net(f, outputs, c["output"], c["cast_inputs"] and not vocab, dtype, base, vocab, c["meta"])

    def loss_fn(out, targets):
        if getattr(out, "loss", None) is not None:
            return out.loss
        return flat_loss(base, logits(out), targets)

    split = None
    batch = c["batch"]
    if batch == "pair":
        rows = list(zip(x, y))
    elif batch == "dict":
        rows = [{"features": a, "label": b} for a, b in zip(x, y)]
        split = lambda b: (b["features"], b["label"])
    elif batch == "list":
        rows = [[a, b, torch.tensor(i)] for i, (a, b) in enumerate(zip(x, y))]
        split = lambda b: (b[0], b[1])
    else:
        rows = [Row(a, b) for a, b in zip(x, y)]
        split = lambda b: (b.features, b.label)
    if c["output"] == "loss_inside":
        pair = split or (lambda b: (b[0], b[1]))
        split = lambda b: ({"x": pair(b)[0], "labels": pair(b)[1]}, pair(b)[1])
    data = Stream(rows) if c["iterable"] else rows
    loader = DataLoader(data, batch_size=c["batch_size"], shuffle=not c["iterable"])
    setup = {"model": model, "loss_fn": loss_fn, "train_data": loader,
             "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3)}
    if c["declare_task"]:
        setup["task"] = task
    if split is not None:
        setup["split_batch"] = split
    return setup
'''

CONFIGS = st.fixed_dictionaries({
    "seed": st.integers(0, 3),
    "examples": st.integers(24, 64),
    "features": st.integers(2, 8),
    "scale": st.sampled_from([1.0, 300.0]),
    "task": st.sampled_from(["classification", "binary", "multilabel", "regression", "sequence",
                             "language_modeling"]),
    "declare_task": st.booleans(),
    "output": st.sampled_from(["tensor", "tuple", "dict", "object", "loss_inside"]),
    "batch": st.sampled_from(["pair", "dict", "list", "namedtuple"]),
    "batch_size": st.sampled_from([4, 8, 16]),
    "iterable": st.booleans(),
    "dtype": st.sampled_from(["float32", "bf16", "fp16"]),
    "meta": st.sampled_from([False, False, False, True]),
    "cast_inputs": st.booleans(),
})

PROBES = ["data", "init_loss", "sequence", "gradients"]


def check_contract(data: dict) -> None:
    """CONTRACT.md section 4, as far as it holds for any run."""
    assert isinstance(data["diagnoses"], list) and isinstance(data["probes"], list)
    confidences = [d["confidence"] for d in data["diagnoses"]]
    assert confidences == sorted(confidences, reverse=True)
    for d in data["diagnoses"]:
        assert isinstance(d["cause"], str) and 0 <= d["confidence"] <= 1
        assert isinstance(d["evidence"], list) and isinstance(d["remedies"], list)
    names = [p["name"] for p in data["probes"]]
    assert names[:len(PROBES)] == PROBES and set(names[len(PROBES):]) <= {"interventions"}   # the stage after the probes
    for p in data["probes"]:
        assert p["status"] in ("ok", "skipped", "error")
        if p["status"] == "error":
            assert p["message"]
    if "verdict" in data:
        assert data["verdict"]["kind"] in ("healthy", "diagnosed", "inconclusive")


# Derandomised and without an example database: the same 24 set-ups on every
# run (about 20 s of CPU), nothing written beside the repository.
@settings(max_examples=24, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(config=CONFIGS)
def test_every_setup_shape_exits_0_with_contract_json(cli, tmp_path, config):
    path = tmp_path / "generated_setup.py"
    path.write_text(f"CONFIG = {config!r}\n" + SETUP, encoding="utf-8")
    result = cli("probe", f"{path}:target", "--format", "json", "--lang", "en", "--quiet",
                 "--probes", ",".join(PROBES))
    assert result.code == 0, (config, result.err[-2000:])
    assert "Traceback" not in result.err
    check_contract(json.loads(result.out))
