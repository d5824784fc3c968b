"""Interventions: apply a cause's remedy in a short paired run and measure.

The knowledge base says which intervention tests each cause (a mechanism
id in ``knowledge/causes/*.yaml``, field ``intervention``); the mechanisms
are here, one small function each that describes how the arm "with the
change" differs from the arm "as is": another learning rate, standardised
data, the reference step instead of the user's, a re-initialisation,
Dropout lifted... (``MECHANISMS``; ``knowledge/schema.yaml`` lists the same
ids, and a test keeps the two equal).

A paired run trains the user's own model (no second copy: models can be
large) from the weights it was handed over with, restored from a snapshot
before every arm: as is, then with the change, with the same seed, the same
batches and the same number of steps, for several seeds. Both arms are
measured on the same examples with the same loss. The seed-to-seed spread
of the as-is arms is the noise the difference has to beat; the decision
rule and its reasons are in ``knowledge/thresholds.yaml``
(``interventions.*``). Everything the arms change (weights, modes,
requires_grad, Dropout rates, dtypes, the random generators) is put back:
the runner's snapshot restores the model at the end, and each mechanism
undoes what the snapshot cannot see.

Besides its own verdict, a run re-measures the symptoms behind the other
leading causes in the arm with the change (``SYMPTOMS``): when the change
removes them, that cause is a consequence of the tested one (dead ReLUs
that follow from the learning rate).
"""
from __future__ import annotations

import inspect
import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import torch
from torch import nn
import torch.nn.functional as F

from loss_advisor.core.kb import threshold
from loss_advisor.core.records import Curve
from loss_advisor.probes.base import Cancelled
from loss_advisor.probes.gradients import ActivationRecorder, WEIGHT_LAYERS, relative_gradient_ratio, weights_of
from loss_advisor.probes.input_baseline import zeroed
from loss_advisor.probing.harness import Harness, as_loss, batch_len, concat, first_tensor, take, to_device
from loss_advisor.probing.target import describe_exception


class NotApplicable(Exception):
    """The mechanism cannot change this set-up (the reason, in English, for
    the record; the verdict is then inconclusive)."""


@dataclass
class Change:
    """How the arm with the change differs from the arm as is."""
    params: dict[str, Any] = field(default_factory=dict)     # fill the KB's change text ({lr})
    lr: float | None = None                                    # another learning rate
    step: str = "as_is"             # "as_is" (the user's step when given) or "reference"
    scheduler: bool = True          # False: the user's scheduler left out
    clip: float | None = None       # clip the gradient norm to this
    setup: Callable[[nn.Module], Callable[[], None] | None] | None = None   # in place; returns an undo
    init: Callable[[nn.Module, int], None] | None = None     # re-initialise in place (seeded)
    optimizer: Callable[[nn.Module], torch.optim.Optimizer] | None = None
    train_map: Callable[[tuple], tuple] | None = None        # the change arm's batches (also for evaluation)
    batches: Callable[[int, int], list] | None = None          # (seed, steps) -> the change arm's own batches
    train_loss: Callable[[Any, Any], torch.Tensor] | None = None
    output_map: Callable[[Any], Any] | None = None           # the change arm's output in the user's terms
    common_eval: Callable[[tuple], tuple] | None = None      # both arms: the examples measured on
    metric: Callable[[Any, Any], torch.Tensor] | None = None  # both arms: the loss measured


# --- the mechanisms ----------------------------------------------------------------

def _loss_module(h: Harness) -> nn.Module | None:
    loss = h.target.loss_fn
    return loss if isinstance(loss, nn.Module) else None


def _output_tensor(out: Any) -> torch.Tensor | None:
    if isinstance(out, torch.Tensor):
        return out
    logits = getattr(out, "logits", None)
    if isinstance(logits, torch.Tensor):
        return logits
    if isinstance(out, dict):
        return out.get("logits") if isinstance(out.get("logits"), torch.Tensor) else first_tensor(out)
    return first_tensor(out)


def _float_tensor(x: Any) -> bool:
    return isinstance(x, torch.Tensor) and x.is_floating_point()


def _lr(direction: str) -> Callable[[Harness, Mapping[str, Any]], Change]:
    def make(h: Harness, obs: Mapping[str, Any]) -> Change:
        user = h.user_lr
        if not user or user <= 0:
            raise NotApplicable("the optimizer has no learning rate to change")
        suggested = obs.get("lr_sweep.suggested_lr")
        factor = threshold("interventions.lr_factor")
        if isinstance(suggested, (int, float)) and math.isfinite(suggested) and suggested > 0 and (
                suggested < user if direction == "lower" else suggested > user):
            lr, how = float(suggested), "suggested"
        else:
            lr, how = (user / factor if direction == "lower" else user * factor), "factor"
        return Change(params={"lr": lr, "user_lr": user, "how": how}, lr=lr)
    return make


def _standardize(h: Harness, obs: Mapping[str, Any]) -> Change:
    inputs, targets = h.examples()
    if not _float_tensor(inputs) or inputs.dim() < 2:
        raise NotApplicable("the inputs are not one floating-point tensor")
    x = inputs.detach().float()
    dims = [0] + list(range(2, x.dim()))           # per feature, or per channel of an image
    mean = x.mean(dim=dims, keepdim=True)[0:1]
    std = x.std(dim=dims, keepdim=True)[0:1].clamp_min(1e-8)
    regression = h.target.task == "regression" or (
        _float_tensor(targets) and obs.get("data.target_kind") == "continuous")
    t_mean = t_std = None
    if regression and _float_tensor(targets) and targets.numel() > 1:
        t_mean, t_std = targets.float().mean(), targets.float().std().clamp_min(1e-8)

    def train_map(batch: tuple) -> tuple:
        xb, yb = batch
        if _float_tensor(xb) and xb.shape[1:] == inputs.shape[1:]:
            xb = ((xb.float() - mean.to(xb.device)) / std.to(xb.device)).to(xb.dtype)
        if t_mean is not None and _float_tensor(yb):
            yb = ((yb - t_mean.to(yb.device)) / t_std.to(yb.device)).to(yb.dtype)
        return xb, yb

    def output_map(out: Any) -> Any:
        if t_mean is None or not isinstance(out, torch.Tensor):
            return out
        return out * t_std.to(out.device) + t_mean.to(out.device)

    return Change(params={"targets": t_mean is not None}, train_map=train_map,
                  output_map=output_map if t_mean is not None else None)


def _reshape_targets(h: Harness, obs: Mapping[str, Any]) -> Change:
    def fix(out: Any, targets: Any) -> Any:
        o = _output_tensor(out)
        if isinstance(targets, torch.Tensor) and o is not None and targets.shape != o.shape \
                and targets.numel() == o.numel():
            return targets.reshape(o.shape).to(o.dtype) if targets.is_floating_point() else targets.reshape(o.shape)
        return targets

    def loss(out: Any, targets: Any) -> torch.Tensor:
        return h.loss(out, fix(out, targets))

    inputs, targets = h.batches[0]
    with torch.no_grad():
        out = _output_tensor(h.forward(h.model, inputs))
    if out is None or not isinstance(targets, torch.Tensor) or out.shape == targets.shape \
            or out.numel() != targets.numel():
        raise NotApplicable("the targets already have the output's shape")
    return Change(params={"shape": list(out.shape[1:])}, train_loss=loss, metric=loss)


def _final_module(h: Harness) -> nn.Module | None:
    """The last leaf module the forward pass runs."""
    order: list[nn.Module] = []
    hooks = [m.register_forward_hook(lambda m, i, o: order.append(m))
             for m in h.model.modules() if not list(m.children())]
    try:
        with torch.no_grad():
            h.forward(h.model, h.batches[0][0])
    finally:
        for hook in hooks:
            hook.remove()
    return order[-1] if order else None


def _output_activation(h: Harness, obs: Mapping[str, Any]) -> Change:
    loss = _loss_module(h)
    last = _final_module(h)
    if isinstance(last, (nn.Softmax, nn.Sigmoid, nn.LogSoftmax)) and isinstance(
            loss, (nn.CrossEntropyLoss, nn.BCEWithLogitsLoss)):
        fix = lambda m, i, o: i[0]                           # noqa: E731  the final activation dropped
        what = type(last).__name__
    elif isinstance(loss, nn.BCELoss) and not isinstance(last, nn.Sigmoid):
        fix = lambda m, i, o: torch.sigmoid(o)                # noqa: E731  the sigmoid BCELoss needs
        what = "Sigmoid"
    elif isinstance(loss, nn.NLLLoss) and not isinstance(last, nn.LogSoftmax):
        fix = lambda m, i, o: F.log_softmax(o, dim=1)         # noqa: E731  the log-softmax NLLLoss needs
        what = "LogSoftmax"
    else:
        raise NotApplicable("the output layer already fits the loss, or it is not a module")
    target = last

    def setup(model: nn.Module) -> Callable[[], None]:
        return target.register_forward_hook(fix).remove

    return Change(params={"activation": what}, setup=setup)


def _reference_step(h: Harness, obs: Mapping[str, Any]) -> Change:
    if h.target.train_step is None:
        raise NotApplicable("the target gives no train_step of its own")
    return Change(step="reference")


def _relu_family(model: nn.Module) -> bool:
    return any(isinstance(m, (nn.ReLU, nn.LeakyReLU, nn.ReLU6, nn.ELU, nn.GELU, nn.SiLU)) for m in model.modules())


def _reinit(h: Harness, obs: Mapping[str, Any]) -> Change:
    relu = _relu_family(h.model)

    def init(model: nn.Module, seed: int) -> None:
        gen_state = torch.get_rng_state()
        torch.manual_seed(seed)
        try:
            with torch.no_grad():
                for m in model.modules():
                    own = list(m.parameters(recurse=False))
                    if not own or not all(p.requires_grad for p in own):
                        continue                # a frozen backbone keeps its weights
                    if isinstance(m, WEIGHT_LAYERS) and weights_of(m):
                        for w in weights_of(m):
                            if w.dim() >= 2:
                                if relu:
                                    nn.init.kaiming_normal_(w, nonlinearity="relu")
                                else:
                                    nn.init.xavier_normal_(w)
                        for name, p in m.named_parameters(recurse=False):
                            if "bias" in name:
                                nn.init.zeros_(p)
                    elif callable(getattr(m, "reset_parameters", None)):
                        m.reset_parameters()
        finally:
            torch.set_rng_state(gen_state)

    return Change(params={"scheme": "He" if relu else "Xavier"}, init=init)


def _larger_batch(h: Harness, obs: Mapping[str, Any]) -> Change:
    factor = int(threshold("interventions.batch_factor"))
    if not h.batch_size:
        raise NotApplicable("the batch size is not known")
    data = len(h.batches) * h.batch_size
    if factor * h.batch_size > data:
        raise NotApplicable("too few cached examples for a larger batch")

    def batches(seed: int, steps: int) -> list:
        inputs, targets, _ = h.sample(limit=max(factor * h.batch_size * 4, 1024), seed=seed)
        n, size = batch_len(inputs), factor * h.batch_size
        out, gen = [], torch.Generator().manual_seed(seed)
        while len(out) < steps:
            perm = torch.randperm(n, generator=gen)
            for s in range(0, n - size + 1, size):
                out.append((take(inputs, perm[s:s + size]), take(targets, perm[s:s + size])))
                if len(out) >= steps:
                    break
        return out

    return Change(params={"batch": factor * h.batch_size, "user_batch": h.batch_size}, batches=batches)


def _shuffled(h: Harness, obs: Mapping[str, Any]) -> Change:
    size = h.batch_size
    if not size:
        raise NotApplicable("the batch size is not known")

    def batches(seed: int, steps: int) -> list:
        inputs, targets, _ = h.sample(limit=max(steps * size, size), seed=seed)
        n = batch_len(inputs)
        out, gen = [], torch.Generator().manual_seed(seed)
        while len(out) < steps and n >= size:
            perm = torch.randperm(n, generator=gen)
            for s in range(0, n - size + 1, size):
                out.append((take(inputs, perm[s:s + size]), take(targets, perm[s:s + size])))
                if len(out) >= steps:
                    break
        return out

    return Change(batches=batches)


def _finite_rows(batch: tuple) -> tuple:
    inputs, targets = batch
    n = batch_len(inputs)
    keep = torch.ones(n, dtype=torch.bool)
    for t in (first_tensor(inputs), targets if isinstance(targets, torch.Tensor) else None):
        if t is not None and t.is_floating_point() and t.dim() > 0 and t.shape[0] == n:
            keep &= torch.isfinite(t.reshape(n, -1)).all(dim=1).cpu()
    if bool(keep.all()):
        return batch
    index = keep.nonzero().flatten()
    return take(inputs, index.to(first_tensor(inputs).device)), take(targets, index.to(first_tensor(inputs).device))


def _drop_nonfinite(h: Harness, obs: Mapping[str, Any]) -> Change:
    return Change(train_map=_finite_rows, common_eval=_finite_rows)


def _lift_regularization(h: Harness, obs: Mapping[str, Any]) -> Change:
    dropouts = [m for m in h.model.modules() if isinstance(m, nn.modules.dropout._DropoutNd)]

    def setup(model: nn.Module) -> Callable[[], None]:
        saved = [(m, m.p) for m in dropouts]
        for m in dropouts:
            m.p = 0.0

        def undo() -> None:
            for m, p in saved:
                m.p = p
        return undo

    def optimizer(model: nn.Module) -> torch.optim.Optimizer:
        opt = h.build_optimizer(model).optimizer
        for g in opt.param_groups:
            if "weight_decay" in g:
                g["weight_decay"] = 0.0
        return opt

    return Change(params={"dropout": len(dropouts)}, setup=setup, optimizer=optimizer)


def _average_loss(h: Harness, obs: Mapping[str, Any]) -> Change:
    def loss(out: Any, targets: Any) -> torch.Tensor:
        value = h.loss(out, targets)
        o = _output_tensor(out)
        n = o.shape[:-1].numel() if o is not None and o.dim() > 1 else batch_len(targets)
        return value / max(1, n)
    return Change(train_loss=loss)


def _all_params(h: Harness, obs: Mapping[str, Any]) -> Change:
    if (_as_float(obs.get("gradients.unregistered_params")) or 0) > 0:
        # layers kept in a plain list or dict: model.parameters() never sees them,
        # so a change that hands model.parameters() to an optimizer cannot reach them
        raise NotApplicable("some parameters sit outside the model's registered modules (a plain list or dict); "
                            "a fresh optimizer over model.parameters() cannot reach them")

    def setup(model: nn.Module) -> None:
        for p in model.parameters():
            if p.is_floating_point():
                p.requires_grad_(True)            # put back by the snapshot
        return None

    def optimizer(model: nn.Module) -> torch.optim.Optimizer:
        built = h.build_optimizer(model).optimizer
        accepted = inspect.signature(type(built).__init__).parameters
        settings = {k: v for k, v in built.defaults.items() if k in accepted}
        return type(built)(list(model.parameters()), **settings)

    return Change(step="reference", setup=setup, optimizer=optimizer)


def _class_targets(h: Harness) -> torch.Tensor:
    _, targets, _ = h.sample(limit=4096, seed=0)
    if not isinstance(targets, torch.Tensor) or targets.is_floating_point() or targets.dim() != 1:
        raise NotApplicable("the targets are not one class index per example")
    return targets


def _class_weights(h: Harness, obs: Mapping[str, Any]) -> Change:
    targets = _class_targets(h)
    classes = int(targets.max()) + 1
    counts = torch.bincount(targets.clamp_min(0).cpu(), minlength=classes).float()
    present = counts > 0
    weight = torch.zeros(classes)
    weight[present] = counts[present].sum() / (present.sum() * counts[present])

    def loss(out: Any, targets: Any) -> torch.Tensor:
        o = _output_tensor(out)
        return F.cross_entropy(o, targets, weight=weight.to(o.device, o.dtype))

    def balanced(out: Any, targets: Any) -> torch.Tensor:
        """The loss averaged per class, then over classes: what imbalance hides."""
        o = _output_tensor(out)
        per = F.cross_entropy(o, targets, reduction="none")
        means = [per[targets == c].mean() for c in targets.unique()]
        return torch.stack(means).mean()

    return Change(train_loss=loss, metric=balanced)


def _no_scheduler(h: Harness, obs: Mapping[str, Any]) -> Change:
    if h.target.scheduler is None:
        raise NotApplicable("the target gives no scheduler")
    return Change(scheduler=False)


def _fp32(h: Harness, obs: Mapping[str, Any]) -> Change:
    low = [p for p in h.model.parameters() if p.is_floating_point() and p.dtype != torch.float32]
    if not low and h.target.train_step is None:
        raise NotApplicable("the model already trains in float32 with the reference step")

    def setup(model: nn.Module) -> Callable[[], None]:
        saved = [(t, t.data) for t in list(model.parameters()) + list(model.buffers())
                 if t.is_floating_point() and t.dtype != torch.float32]
        for t, data in saved:
            t.data = data.float()

        def undo() -> None:
            for t, data in saved:
                t.data = data               # the original storage; the snapshot puts its values back
                t.grad = None
        return undo

    def train_map(batch: tuple) -> tuple:
        def cast(o: Any) -> Any:
            if isinstance(o, torch.Tensor) and o.is_floating_point():
                return o.float()
            if isinstance(o, dict):
                return {k: cast(v) for k, v in o.items()}
            if isinstance(o, (list, tuple)) and not hasattr(o, "_fields"):
                return type(o)(cast(v) for v in o)
            return o
        return cast(batch[0]), batch[1]

    return Change(step="reference", setup=setup, train_map=train_map)


def _ignore_padding(h: Harness, obs: Mapping[str, Any]) -> Change:
    from loss_advisor.probes.data import padding_value

    found = obs.get("sequence.padding_value")      # declared, the loss's, or inferred by the sequence probe
    pad = int(found) if isinstance(found, (int, float)) and not isinstance(found, bool) and float(found).is_integer() \
        else padding_value(h.target)
    _, targets = h.batches[0]
    if not isinstance(targets, torch.Tensor) or targets.is_floating_point() or not bool((targets == pad).any()):
        raise NotApplicable("no target equals the padding value")

    def masked(out: Any, targets: Any) -> torch.Tensor:
        o = _output_tensor(out)
        if o.dim() > 2 and o.shape[:-1] == targets.shape:      # (B, T, C) against (B, T)
            o = o.reshape(-1, o.shape[-1])
            targets = targets.reshape(-1)
        return F.cross_entropy(o, targets, ignore_index=pad)

    return Change(params={"pad": pad}, train_loss=masked, metric=masked)


def _clip(h: Harness, obs: Mapping[str, Any]) -> Change:
    return Change(clip=threshold("interventions.clip_norm"))


# Mechanism id -> its maker. knowledge/schema.yaml lists the same ids
# (tests/test_interventions.py keeps them equal).
MECHANISMS: dict[str, Callable[[Harness, Mapping[str, Any]], Change]] = {
    "lr_lower": _lr("lower"),
    "lr_higher": _lr("higher"),
    "standardize_data": _standardize,
    "reshape_targets": _reshape_targets,
    "output_activation": _output_activation,
    "reference_step": _reference_step,
    "reinitialize": _reinit,
    "larger_batch": _larger_batch,
    "shuffle_order": _shuffled,
    "drop_nonfinite": _drop_nonfinite,
    "lift_regularization": _lift_regularization,
    "average_loss": _average_loss,
    "train_all_params": _all_params,
    "class_weights": _class_weights,
    "no_scheduler": _no_scheduler,
    "fp32": _fp32,
    "ignore_padding": _ignore_padding,
    "clip_gradients": _clip,
}


# --- symptoms re-measured under another cause's change ----------------------------------

def _dead_fraction(h: Harness, model: nn.Module, batch: tuple) -> float | None:
    """The share of dead units in the worst layer: the tree's line is half the
    units, overall or in one layer (one dead layer passes nothing on)."""
    with torch.no_grad(), ActivationRecorder(model) as rec:
        h.forward(model, batch[0])
    dead = rec.dead()
    if not dead:          # no ReLU-like output with zeros at all: no dead unit
        return 0.0 if any(isinstance(m, nn.Module) for m in rec.order) else None
    return max(dead.get("dead_unit_fraction", 0.0), dead.get("dead_layer_max", 0.0))


def _input_gain(h: Harness, model: nn.Module, batch: tuple) -> float | None:
    """How much lower the loss is with the real inputs than with zeroed ones."""
    with torch.no_grad():
        real = float(h.loss(h.forward(model, batch[0]), batch[1]))
        blank = float(h.loss(h.forward(model, zeroed(batch[0])), batch[1]))
    if not (math.isfinite(real) and math.isfinite(blank)) or blank <= 0:
        return None
    return (blank - real) / blank


def _gradient_ratio(h: Harness, model: nn.Module, batch: tuple) -> float | None:
    """Relative gradient of the first training weight layer over the last's
    (the short run's measure after training)."""
    return relative_gradient_ratio(h, model, batch)


# cause -> (meter, the line that tells the symptom present (thresholds.yaml), "above" or "below" it)
SYMPTOMS: dict[str, tuple[Callable, Callable[[], float], str]] = {
    "dead_relu": (_dead_fraction, lambda: threshold("interventions.dead_relu_fraction"), "above"),
    "inputs_ignored": (_input_gain, lambda: threshold("interventions.inputs_ignored_gain"), "below"),
    "vanishing_gradients": (_gradient_ratio, lambda: threshold("interventions.vanishing_ratio"), "below"),
}


# Symptoms whose meter measures the cause's whole definition, so that a user's
# run (the as-is arm) that ends without it rules the cause out: a unit dead on
# every example is what dead_relu means. Not so the input gain here (measured on
# training examples, where memorised inputs help: inputs_ignored is about
# held-out ones) nor the layer ratio (a recurrent net's gradient vanishes
# through time, which it does not see).
DEFINING = frozenset({"dead_relu"})


def symptom_present(cause: str, value: float | None) -> bool | None:
    if value is None or not math.isfinite(value):
        return None
    _, line, side = SYMPTOMS[cause]
    return value >= line() if side == "above" else value < line()


# --- the paired run ----------------------------------------------------------------------

@dataclass
class Plan:
    cause: str
    mechanism: str
    symptoms: tuple[str, ...] = ()     # other causes whose symptoms to re-measure


@dataclass(frozen=True)
class Sizes:
    candidates: int     # k: causes tested at most
    steps: int          # steps per arm
    seeds: int          # seeds per arm
    seconds: float      # wall-clock for every intervention together


# fast: at most three causes, 100 steps per arm, three seeds, four seconds
# in all (the CLI's default stays interactive: a small set-up's steps take
# about a millisecond, so the steps bind, not the seconds); full: five
# causes, 300 steps, 40 s. Three seeds are the fewest that measure a spread
# with a standard deviation that is not one difference.
SIZES = {"fast": Sizes(3, 100, 3, 4.0), "full": Sizes(5, 300, 3, 40.0)}
# A run past this multiple of the interventions' seconds stops inside its
# arm (a step far slower than the probes' measured one).
HARD_FACTOR = 1.5
# The loss of each arm is measured on this many training examples, at
# CURVE_POINTS points along the run (and at its start): enough for a mean
# loss whose sampling noise is far below the effects tested, few enough that
# measuring costs less than training (a forward pass costs about a third of
# a training step per example).
EVAL_EXAMPLES = 512
CURVE_POINTS = 5
# Fewer steps than this per arm measure nothing: the runs as is and with the
# change would not yet have moved apart.
MIN_STEPS = 20
# Never fewer examples to measure the loss on: below this the loss of one
# run is too noisy to compare (its standard error grows as 1/sqrt(n)).
MIN_EVAL = 64


class OutOfTime(Exception):
    """The interventions' share of the budget ran out inside a run."""


def decide(as_is: Sequence[float], changed: Sequence[float],
           start: float | None = None) -> tuple[str, float | None]:
    """confirmed, refuted or inconclusive, and the seed spread of the as-is arms.

    See knowledge/thresholds.yaml, interventions.*: the change must lower
    the mean loss by more than `noise_multiple` standard errors of the
    difference (from the seed-to-seed spread of both arms) and by at least
    `min_effect` of the loss the runs started from (`start`, the lower of
    the two arms' first losses) or of the as-is loss, whichever is larger;
    it is refuted when it lowers the as-is loss by no more than half its
    `min_effect`, measured precisely enough; in between it is inconclusive."""
    fin_a = [v for v in as_is if math.isfinite(v)]
    fin_c = [v for v in changed if math.isfinite(v)]
    if not as_is or not changed:
        return "inconclusive", None
    if not fin_a and len(fin_c) == len(changed):
        return "confirmed", None                      # the change removes a divergence
    if not fin_c:
        # the change's own run diverged: it overshot (a raised rate past the
        # divergence point), which says nothing of whether the cause is there
        return "inconclusive", None
    if len(fin_a) < len(as_is) or len(fin_c) < len(changed):
        return "inconclusive", None
    spread = statistics.stdev(fin_a) if len(fin_a) > 1 else 0.0
    spread_c = statistics.stdev(fin_c) if len(fin_c) > 1 else 0.0
    error = math.sqrt(spread ** 2 / len(fin_a) + spread_c ** 2 / len(fin_c))
    mean_a, mean_c = statistics.fmean(fin_a), statistics.fmean(fin_c)
    gain = mean_a - mean_c
    floor = threshold("interventions.min_effect") * abs(mean_a)
    # Confirmed against the loss the training started from as well: a change
    # that gains a large share of an already small loss improves a training
    # that works, it does not explain one that stalls (interventions.min_effect).
    scale = max(abs(mean_a), abs(start)) if start is not None and math.isfinite(start) else abs(mean_a)
    noise = threshold("interventions.noise_multiple") * error
    if gain > max(noise, threshold("interventions.min_effect") * scale):
        return "confirmed", spread
    # Refuted: no gain worth half the effect floor, measured precisely enough
    # that a gain of the floor's size would have shown (a noisy arm refutes nothing).
    if gain <= floor / 2 and noise <= floor:
        return "refuted", spread
    return "inconclusive", spread


class Interventions:
    """Paired short runs on the user's model, inside one snapshot."""

    def __init__(self, h: Harness, observations: Mapping[str, Any], sizes: Sizes, seed: int = 0,
                 cancelled: Callable[[], bool] = lambda: False,
                 progress: Callable[[float, str], None] = lambda f, m: None):
        self.h, self.obs, self.sizes, self.seed = h, observations, sizes, seed
        self.cancelled, self.progress = cancelled, progress
        self.started = time.perf_counter()
        self._eval: list[tuple] | None = None
        self.eval_examples = EVAL_EXAMPLES
        self._batches: dict[int, tuple[list, list]] = {}

    def out_of_time(self) -> bool:
        return time.perf_counter() - self.started >= self.sizes.seconds

    def plan_steps(self, runs: int) -> int:
        """Steps per arm that let `runs` more arms fit in what is left of the
        budget, at the step time the harness measured during the probes (the
        sizes' steps when nothing was timed); below MIN_STEPS the test is
        not worth running."""
        per_example = getattr(self.h, "seconds_per_example", None)
        if not per_example:
            return self.sizes.steps
        left = self.sizes.seconds - (time.perf_counter() - self.started)
        # Measuring may take at most a quarter of an arm: fewer examples when
        # a forward pass is dear (a transformer with small batches).
        share = left / max(1, runs)
        affordable_eval = int(0.25 * share / ((CURVE_POINTS + 1) * per_example / 3))
        self.eval_examples = max(MIN_EVAL, min(EVAL_EXAMPLES, affordable_eval))
        evaluation = (CURVE_POINTS + 1) * self.eval_examples * per_example / 3
        step = per_example * (self.h.batch_size or 1)
        affordable = int((left / max(1, runs) - evaluation) / step) if step > 0 else self.sizes.steps
        return max(0, min(self.sizes.steps, affordable))

    # data -------------------------------------------------------------------------
    def eval_batches(self) -> list[tuple]:
        """A fixed random sample of the training data: the training loss is
        what will not go down, and a sample represents unshuffled data too."""
        if self._eval is None:
            inputs, targets, _ = self.h.sample(limit=self.eval_examples, seed=self.seed + 12345)
            n = batch_len(inputs)
            size = max(1, min(256, n))
            self._eval = [(take(inputs, slice(s, s + size)), take(targets, slice(s, s + size)))
                          for s in range(0, n, size)]
        return self._eval

    def arm_batches(self, seed: int) -> tuple[list, list]:
        """The batches both arms of one seed train on, as train_data yields them
        (raw, for the user's own step) and prepared (for the reference step)."""
        if seed not in self._batches:
            state = torch.get_rng_state()
            torch.manual_seed(seed)
            try:
                raw, prepared = [], []
                steps = self.sizes.steps
                while len(raw) < steps:
                    before = len(raw)
                    for batch in self.h._iterate(self.h.target.train_data, "train_data"):
                        moved = to_device(batch, self.h.device)
                        raw.append(moved)
                        prepared.append(self.h._prepare(batch))
                        if len(raw) >= steps:
                            break
                    if len(raw) == before:
                        break
            finally:
                torch.set_rng_state(state)
            self._batches[seed] = (raw, prepared)
        return self._batches[seed]

    # measuring --------------------------------------------------------------------
    @torch.no_grad()
    def measure(self, model: nn.Module, change: Change | None, with_change: bool) -> float:
        was = model.training
        model.eval()
        total = count = 0.0
        try:
            for batch in self.eval_batches():
                if change is not None and change.common_eval is not None:
                    batch = change.common_eval(batch)
                target = batch[1]
                if with_change and change is not None and change.train_map is not None:
                    batch = change.train_map(batch)
                out = self.h.forward(model, batch[0])
                if with_change and change is not None and change.output_map is not None:
                    out = change.output_map(out)
                metric = change.metric if change is not None and change.metric is not None else self.h.loss
                value = float(as_loss(metric(out, target)))
                n = batch_len(batch[0]) or 1
                total += value * n
                count += n
        except Exception:
            return math.inf
        finally:
            model.train(was)
        return total / count if count else math.nan

    # one arm ----------------------------------------------------------------------
    def arm(self, seed: int, change: Change | None, with_change: bool,
            after: Callable[[nn.Module, Change | None], None] | None = None, steps: int | None = None) -> list[float]:
        """Train the user's model from its handed-over state for the arm; the
        losses measured along the way (last: the arm's result)."""
        h = self.h
        # The user's model put back as it came in (in place under the
        # runner's snapshot; a copy for a harness without one).
        model = h.fresh_model(keep_mode=True)
        torch.manual_seed(seed)
        active = change if with_change else None
        undo = None
        curve: list[float] = []
        steps = steps or self.sizes.steps
        every = max(1, steps // CURVE_POINTS)
        try:
            if active is not None and active.setup is not None:
                undo = active.setup(model)
            if active is not None and active.init is not None:
                active.init(model, seed)
            if active is not None and active.optimizer is not None:
                opt = active.optimizer(model)
            else:
                opt = h.build_optimizer(model, lr=active.lr if active is not None else None).optimizer
            use_sched = active is None or active.scheduler
            sched = h.target.scheduler(opt) if (use_sched and h.target.scheduler is not None) else None
            per_epoch = h.batches_per_epoch()
            user_step = h.target.train_step is not None and not (active is not None and active.step == "reference")
            if active is not None and active.batches is not None:
                raw = prepared = active.batches(seed, steps)
                user_step = False
            else:
                raw, prepared = self.arm_batches(seed)
            curve.append(self.measure(model, change, with_change))
            for i in range(min(steps, len(prepared))):
                if self.cancelled():
                    raise Cancelled()
                if time.perf_counter() - self.started > HARD_FACTOR * self.sizes.seconds:
                    raise OutOfTime()
                if user_step:
                    returned = h.target.train_step(model, raw[i], opt, h.target.loss_fn)
                    loss = _as_float(returned)
                else:
                    batch = prepared[i]
                    if active is not None and active.train_map is not None:
                        batch = active.train_map(batch)
                    model.train()
                    opt.zero_grad(set_to_none=True)
                    out = h.forward(model, batch[0])
                    lossfn = active.train_loss if active is not None and active.train_loss is not None else h.loss
                    value = as_loss(lossfn(out, batch[1]))
                    if value.requires_grad:          # nothing trainable (all frozen): the step changes nothing
                        value.backward()
                    if active is not None and active.clip is not None:
                        torch.nn.utils.clip_grad_norm_(model.parameters(), active.clip)
                    opt.step()
                    loss = float(value.detach())
                h.steps += 1
                if sched is not None:
                    if h.target.scheduler_interval == "step":
                        h.step_scheduler(sched, loss)
                    elif per_epoch and (i + 1) % per_epoch == 0:
                        h.step_scheduler(sched, loss)
                if loss is not None and not math.isfinite(loss):
                    curve.append(math.inf)
                    break
                if (i + 1) % every == 0 or i + 1 == steps:
                    curve.append(self.measure(model, change, with_change))
            if after is not None:
                after(model, active)
        finally:
            if undo is not None:
                undo()
            for p in model.parameters():
                p.grad = None
        return curve

    # one cause --------------------------------------------------------------------
    def test(self, plan: Plan, make: Callable[[Harness, Mapping[str, Any]], Change], left: int = 1) -> dict[str, Any]:
        """One cause's paired runs. The causes come best first and each takes
        what it needs of what is left (`left`: the tests still to run, this
        one included, counted only when all of them fit): on a slow set-up
        the leading cause is tested fully and the runners-up get the rest,
        rather than every test too short to say anything."""
        steps = self.plan_steps(2 * self.sizes.seeds * max(1, left))
        if steps < self.sizes.steps:
            steps = self.plan_steps(2 * self.sizes.seeds)
        result: dict[str, Any] = {"mechanism": plan.mechanism, "steps": steps, "seeds": []}
        try:
            change = make(self.h, self.obs)
        except NotApplicable as exc:
            return {**result, "verdict": "inconclusive", "reason": str(exc)}
        if steps < MIN_STEPS:
            per_example = getattr(self.h, "seconds_per_example", None) or 0.0
            return {**result, "verdict": "inconclusive",
                    "reason": f"too slow for the budget: a step takes {per_example * (self.h.batch_size or 1):.2g} s "
                              f"and {MIN_STEPS} steps per run do not fit; a longer --budget runs it"}
        result["params"] = change.params
        as_is: list[float] = []
        changed: list[float] = []
        curves_a: list[list[float]] = []
        curves_c: list[list[float]] = []
        symptoms: dict[str, dict[str, Any]] = {}

        def meter(arm: str) -> Callable[[nn.Module, Change | None], None]:
            def run(model: nn.Module, active: Change | None) -> None:
                batch = self.eval_batches()[0]
                if active is not None and active.train_map is not None:
                    batch = active.train_map(batch)
                for cause in plan.symptoms:
                    fn = SYMPTOMS[cause][0]
                    try:
                        value = fn(self.h, model, batch)
                    except Exception:
                        value = None
                    symptoms.setdefault(cause, {})[arm] = value
            return run

        for k in range(self.sizes.seeds):
            if k >= 2 and self.out_of_time():
                break
            seed = self.seed + k
            try:
                a = self.arm(seed, change, False, meter("as_is") if k == 0 and plan.symptoms else None, steps)
                c = self.arm(seed, change, True, meter("with_change") if k == 0 and plan.symptoms else None, steps)
            except Cancelled:
                raise
            except OutOfTime:
                if len(as_is) >= 2:
                    break
                return {**result, "verdict": "inconclusive", "reason": "out of time"}
            except Exception as exc:
                return {**result, "verdict": "inconclusive", "reason": describe_exception(exc)}
            result["seeds"].append(seed)
            curves_a.append(a)
            curves_c.append(c)
            as_is.append(a[-1])
            changed.append(c[-1])
        verdict, spread = decide(as_is, changed, start=_start(curves_a, curves_c))
        result.update(verdict=verdict, spread=spread, loss_as_is=_mean(as_is), loss_with_change=_mean(changed),
                      losses_as_is=as_is, losses_with_change=changed,
                      # what the change amounts to: every mechanism that swaps in the reference
                      # step tests the whole step at once, whatever else it changes
                      family="reference_step" if change.step == "reference" else plan.mechanism)
        if len(as_is) < 2 and verdict == "confirmed" and spread is not None:
            result["verdict"] = "inconclusive"          # one seed measures no spread
        mean_c = _mean_curve(curves_c, max((len(c) for c in curves_c), default=0))
        late = _late_drop(mean_c)
        moved = (mean_c[0] - mean_c[-1]) / mean_c[0] if len(mean_c) >= 2 and mean_c[0] and mean_c[-1] is not None \
            and mean_c[0] > 0 else None
        if result["verdict"] == "refuted" and steps < self.sizes.steps:
            # a refutation claims the change does nothing: only a run of the designed length can say so
            result["verdict"] = "inconclusive"
            result["reason"] = f"shortened to {steps} of {self.sizes.steps} steps by the time budget: too short to refute"
        elif result["verdict"] == "refuted" and moved is not None and moved < threshold("interventions.min_effect"):
            # neither the change nor the set-up trained in this window: it tested nothing
            result["verdict"] = "inconclusive"
            result["reason"] = f"the run with the change barely moved ({moved:.0%}): too short to refute"
        elif result["verdict"] == "refuted" and late is not None and late >= threshold("interventions.still_falling"):
            # the change had not finished showing its effect: a refutation would only say the run was short
            result["verdict"] = "inconclusive"
            result["reason"] = f"the run with the change was still falling ({late:.0%} over its last fifth)"
        if as_is and curves_a == curves_c and len(as_is) == len(changed):
            # Every run, step for step, exactly as it was: the change found nothing
            # to change (every parameter already held, no scheduler, already
            # float32), so what the cause blames is not there, however short the run.
            result["verdict"] = "refuted"
            result["reason"] = "the change left every run exactly as it was: what it would fix is not in this set-up"
        every = max(1, steps // CURVE_POINTS)
        xs = [0] + [min(steps, every * (i + 1)) for i in range(max(len(c) for c in curves_a + curves_c) - 1)] \
            if curves_a else []
        result["curve"] = Curve(xs, {"as_is": _mean_curve(curves_a, len(xs)),
                                     "with_change": _mean_curve(curves_c, len(xs))})
        if symptoms:
            result["symptoms"] = {
                cause: {**values, "defining": cause in DEFINING,
                        "present_as_is": symptom_present(cause, values.get("as_is")),
                        "present_with_change": symptom_present(cause, values.get("with_change"))}
                for cause, values in symptoms.items()}
        return result

    def run(self, plans: Sequence[Plan]) -> dict[str, dict[str, Any]]:
        outcomes: dict[str, dict[str, Any]] = {}
        try:
            for i, plan in enumerate(plans):
                if self.cancelled():
                    raise Cancelled()
                if i > 0 and self.out_of_time():
                    outcomes[plan.cause] = {"mechanism": plan.mechanism, "verdict": "inconclusive",
                                            "reason": "out of time", "steps": 0, "seeds": []}
                    continue
                self.progress(i / max(1, len(plans)), plan.cause)
                done = next((o for o in outcomes.values() if o.get("mechanism") == plan.mechanism
                             and o.get("verdict") != "inconclusive"), None)
                if done is not None:          # the same change, already measured: one run serves both
                    outcomes[plan.cause] = dict(done)
                    continue
                outcomes[plan.cause] = self.test(plan, MECHANISMS[plan.mechanism], left=len(plans) - i)
        finally:
            self.h.fresh_model(keep_mode=True)       # as it came in (the runner restores it all at the end)
        return outcomes


def _start(curves_a: list[list[float]], curves_c: list[list[float]]) -> float | None:
    """The loss the runs started from: the lower of the two arms' mean first
    losses (a change that itself lowers the first loss, a re-initialisation,
    is not held to the spike it removed)."""
    starts = [_mean([c[0] for c in curves if c and math.isfinite(c[0])]) for curves in (curves_a, curves_c)]
    starts = [s for s in starts if s is not None]
    return min(starts) if starts else None


def _as_float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(as_loss(value).detach())
    except (TypeError, ValueError, RuntimeError):
        return None


def _mean(values: Sequence[float]) -> float | None:
    fin = [v for v in values if math.isfinite(v)]
    return statistics.fmean(fin) if fin and len(fin) == len(values) else None


def _late_drop(curve: Sequence[float | None]) -> float | None:
    """How much the loss fell over the last stretch of a curve, relative to where it stood."""
    if len(curve) < 3 or curve[-1] is None or curve[-2] is None or not curve[-2] > 0:
        return None
    return (curve[-2] - curve[-1]) / curve[-2]


def _mean_curve(curves: list[list[float]], length: int) -> list[float | None]:
    out: list[float | None] = []
    for i in range(length):
        values = [c[i] for c in curves if i < len(c)]
        fin = [v for v in values if math.isfinite(v)]
        out.append(statistics.fmean(fin) if fin and len(fin) == len(values) else None)
    return out


def budget_sizes(budget: Any) -> Sizes:
    """The sizes for a named budget, or for a budget in seconds for the whole
    run: a quarter of it for the interventions, the fast sizes below 30 s."""
    if budget in SIZES:
        return SIZES[budget]
    try:
        seconds = float(budget)
    except (TypeError, ValueError):
        return SIZES["fast"]
    base = SIZES["full"] if seconds >= 30 else SIZES["fast"]
    return Sizes(base.candidates, base.steps, base.seeds, max(1.0, 0.25 * seconds))


__all__ = ["MECHANISMS", "SYMPTOMS", "Change", "Interventions", "NotApplicable", "Plan", "SIZES", "Sizes",
           "decide", "symptom_present", "concat"]
