"""Gradient check: gradient flow through depth, parameters that cannot learn,
dead ReLU units, activation scale at initialisation, one update's size.

Diagnoses (through the knowledge base): vanishing_gradients,
exploding_gradients, params_not_updated, dead_relu, bad_initialization.
One forward/backward and one optimizer step on a copy of the model.
"""
from __future__ import annotations

import math
import time
import statistics
from typing import Any

import torch
from torch import nn

from loss_advisor.core.kb import threshold
from loss_advisor.core.records import LayerTable
from loss_advisor.probes.base import Budget, Context, Output, Probe
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probing.harness import Harness, batch_len

# Modules whose weights carry the signal through depth. Embeddings are left
# out: only the rows of the tokens in the batch get a gradient, which would
# look like vanishing when it is not.
WEIGHT_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d,
                 nn.ConvTranspose3d, nn.RNNBase, nn.Bilinear)
RELU_LIKE = (nn.ReLU, nn.ReLU6)
SQUASHING = (nn.Tanh, nn.Sigmoid)
# Examples for the statistics: enough that a unit silent on all of them is
# very likely silent everywhere (a live unit firing half the time is silent
# on 64 examples with probability 2^-64).
STAT_EXAMPLES = 256


def weights_of(module: nn.Module) -> list[torch.Tensor]:
    return [p for n, p in module.named_parameters(recurse=False) if "weight" in n and p.dim() >= 2]


def looks_untrained(module: nn.Module) -> bool:
    """Do the weights still match PyTorch's default initialisation of Linear
    and Conv layers (uniform within +-1/sqrt(fan_in))? Training moves some
    weights past that bound, so a pretrained layer fails this test; a layer
    frozen straight after construction passes it."""
    if not isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
        return False
    w = module.weight.detach().float()
    fan_in = w[0].numel()
    if w.numel() < threshold("gradients.untrained_min_weights") or fan_in == 0:
        return False
    bound = 1.0 / math.sqrt(fan_in)
    within = float(w.abs().max()) <= bound * threshold("gradients.untrained_bound_slack")
    uniform_spread = abs(float(w.std()) / (bound / math.sqrt(3)) - 1.0) < threshold("gradients.untrained_std_tolerance")
    return within and uniform_spread


def unit_axis(module: nn.Module | None, t: torch.Tensor) -> int | None:
    """The axis that indexes units in an activation flowing into `module` (or out of a ReLU)."""
    if isinstance(module, nn.Linear):
        return t.dim() - 1
    if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
        return 1
    if module is None and t.dim() in (2, 4, 5):
        return 1
    return None


def dead_units(t: torch.Tensor, axis: int) -> tuple[int, int]:
    """(dead, total) units: a unit is dead when it is exactly zero on every example."""
    moved = t.detach().movedim(axis, -1).reshape(-1, t.shape[axis])
    alive = (moved != 0).any(0)
    return int((~alive).sum()), int(alive.numel())


def end_layers(model: nn.Module) -> tuple[nn.Module, nn.Module] | None:
    """The first and the last weight layer that train (module order), or None
    with fewer than two: a frozen layer gets no gradient, which is not a
    gradient that vanished."""
    layers = [m for m in model.modules() if isinstance(m, WEIGHT_LAYERS)
              and any(w.requires_grad for w in weights_of(m))]
    return (layers[0], layers[-1]) if len(layers) >= 2 else None


def _norm(tensors: list[torch.Tensor]) -> float:
    return float(torch.stack([t.detach().float().norm() for t in tensors]).norm()) if tensors else 0.0


def relative_gradient_ratio(h: Harness, model: nn.Module, batch: tuple) -> float | None:
    """The first training weight layer's relative gradient (gradient norm over
    weight norm) over the last's, on one batch; the gradients are cleared
    before and after."""
    ends = end_layers(model)
    if ends is None:
        return None
    for p in model.parameters():
        p.grad = None
    try:
        h.batch_loss(model, batch).backward()
        rel = []
        for m in ends:
            ws = [w for w in weights_of(m) if w.requires_grad]
            grads = [w.grad for w in ws if w.grad is not None]
            weight = _norm(ws)
            rel.append(_norm(grads) / weight if weight > 0 else 0.0)
    finally:
        for p in model.parameters():
            p.grad = None
    return rel[0] / rel[1] if rel[1] > 0 and math.isfinite(rel[0]) and math.isfinite(rel[1]) else None


def weights_at(layers: tuple[nn.Module, ...]) -> list[list[torch.Tensor]]:
    """A copy of these layers' training weights (to measure how far they move)."""
    return [[w.detach().clone() for w in weights_of(m) if w.requires_grad] for m in layers]


def movement_ratio(layers: tuple[nn.Module, nn.Module], before: list[list[torch.Tensor]]) -> float | None:
    """How far the first layer's weights moved since `before`, relative to their
    size, over the same for the last layer."""
    moved = []
    for m, start in zip(layers, before):
        now = [w for w in weights_of(m) if w.requires_grad]
        size = _norm(start)
        moved.append(_norm([a.detach() - b for a, b in zip(now, start)]) / size if size > 0 else math.nan)
    if not all(math.isfinite(v) for v in moved) or moved[1] <= 0:
        return None
    return moved[0] / moved[1]


def stats_batch(h: Harness, model: nn.Module | None = None, limit: int = STAT_EXAMPLES) -> tuple[Any, Any]:
    """Up to STAT_EXAMPLES examples; the user's own first batch if a larger one fails.

    `model`: the model the statistics will be taken on (default: a fresh
    one). A probe that has trained the model passes it: in place,
    fresh_model() would put back the weights it came in with."""
    if h.batch_size >= limit:
        return h.batches[0]
    bigger = h.examples(limit=limit)
    if batch_len(bigger[0]) <= h.batch_size:
        return h.batches[0]
    if model is None:
        model = h.fresh_model()
    try:
        with torch.no_grad():
            h.batch_loss(model, bigger)
        return bigger
    except Exception:
        return h.batches[0]


def time_gradient_ratio(h: Harness, batch: tuple[Any, Any]) -> float | None:
    """For recurrent models: how much gradient reaches the first time steps of
    the recurrent layer's input compared with the last ones (vanishing or
    exploding through time). Measured at the input of the first RNN/LSTM/GRU,
    so that token inputs (through an embedding) are covered too."""
    model = h.fresh_model()
    rnn = next((m for m in model.modules() if isinstance(m, nn.RNNBase)), None)
    if rnn is None:
        return None
    captured: list[torch.Tensor] = []

    def make_leaf(module, args):
        x = args[0] if args else None
        if not isinstance(x, torch.Tensor) or x.dim() != 3 or not x.is_floating_point() or captured:
            return None
        leaf = x.detach().requires_grad_(True)
        captured.append(leaf)
        return (leaf, *args[1:])

    handle = rnn.register_forward_pre_hook(make_leaf)
    try:
        inputs, targets = batch
        loss = h.loss(h.forward(model, inputs), targets)
        if not loss.requires_grad or not captured:
            return None
        loss.backward()
    finally:
        handle.remove()
    leaf = captured[0]
    if leaf.grad is None:
        return None
    axis = 1 if rnn.batch_first else 0
    steps = leaf.shape[axis]
    if steps < 10:
        return None
    per_step = leaf.grad.detach().abs().movedim(axis, 0).reshape(steps, -1).mean(1)
    k = max(1, steps // 10)
    late = float(per_step[-k:].mean())
    return float(per_step[:k].mean()) / late if late > 0 else None


class ActivationRecorder:
    """Forward hooks that record, for one pass: the order weight layers run
    in, their output scale, ReLU-like activations (for dead units) and
    tanh/sigmoid saturation. Hooks are removed on exit."""

    def __init__(self, model: nn.Module):
        self.model = model
        self.order: list[nn.Module] = []
        self.pre_act: dict[nn.Module, float] = {}
        self.relu_acts: list[tuple[torch.Tensor, int]] = []
        self.squash: list[float] = []
        self._seen: set[int] = set()
        self._seen_squash: set[int] = set()
        # The tensors behind those ids, kept alive for the forward pass: under
        # no_grad a freed activation's id is reused by the next one, which
        # then looked already seen (a dead layer went uncounted).
        self._held: list[torch.Tensor] = []
        self._hooks: list = []

    def __enter__(self) -> "ActivationRecorder":
        for m in self.model.modules():
            if not list(m.children()) or isinstance(m, nn.RNNBase):
                self._hooks.append(m.register_forward_hook(self._on_forward))
        return self

    def __exit__(self, *exc) -> None:
        for hook in self._hooks:
            hook.remove()
        self._hooks.clear()
        self._held.clear()

    def _on_forward(self, module, inputs, output) -> None:
        if module not in self.order:
            self.order.append(module)
        if isinstance(module, WEIGHT_LAYERS):
            tensor = output[0] if isinstance(output, tuple) else output
            if isinstance(tensor, torch.Tensor) and tensor.numel() > 1 and module not in self.pre_act:
                self.pre_act[module] = float(tensor.detach().float().std())
            x = inputs[0] if inputs else None
            axis = unit_axis(module, x) if isinstance(x, torch.Tensor) else None
            if axis is not None and self.order[0] is not module:
                self._keep_relu(x, axis)
                self._keep_squashed(x)
        elif isinstance(module, RELU_LIKE) and isinstance(output, torch.Tensor):
            axis = unit_axis(None, output)
            if axis is not None:
                self._keep_relu(output, axis)
        elif isinstance(module, SQUASHING) and isinstance(output, torch.Tensor):
            o = output.detach().float()
            if isinstance(module, nn.Tanh):
                self.squash.append(float((o.abs() > 0.99).float().mean()))
            else:
                self.squash.append(float(((o < 0.01) | (o > 0.99)).float().mean()))

    def _keep_relu(self, t: torch.Tensor, axis: int) -> None:
        """Keep activations that look like ReLU outputs: non-negative with exact zeros."""
        if id(t) in self._seen or t.numel() == 0 or not t.is_floating_point():
            return
        d = t.detach()
        if float(d.min()) < 0 or float((d == 0).float().mean()) < 0.05:
            return
        self._seen.add(id(t))
        self._held.append(t)
        self.relu_acts.append((d, axis))

    def _keep_squashed(self, x: torch.Tensor) -> None:
        """Inputs of a hidden layer that come out of a tanh or sigmoid (also a
        functional one): all within [-1, 1] with negatives, or within [0, 1]
        without exact zeros. Their saturated share joins the modules' one."""
        if id(x) in self._seen_squash or x.numel() == 0 or not x.is_floating_point():
            return
        self._seen_squash.add(id(x))
        self._held.append(x)
        d = x.detach().float()
        lo, hi = float(d.min()), float(d.max())
        if -1.0 <= lo < 0 and hi <= 1.0:
            self.squash.append(float((d.abs() > 0.99).float().mean()))
        elif 0.0 < lo and hi < 1.0:
            self.squash.append(float(((d < 0.01) | (d > 0.99)).float().mean()))

    def layers(self) -> list[nn.Module]:
        return [m for m in self.order if isinstance(m, WEIGHT_LAYERS) and weights_of(m)]

    def dead(self) -> dict[str, float]:
        """dead_unit_fraction, dead_layer_max and relu_units (empty when no ReLU was seen)."""
        counts = [dead_units(t, axis) for t, axis in self.relu_acts]
        units = sum(c[1] for c in counts)
        if not units:
            return {}
        return {"relu_units": units, "dead_unit_fraction": sum(c[0] for c in counts) / units,
                "dead_layer_max": max(c[0] / c[1] for c in counts if c[1])}


class GradientsProbe(Probe):
    name = "gradients"
    title = {"en": "Gradient check", "ja": "勾配チェック"}
    budgets = {"fast": Budget(2, 3.0), "full": Budget(2, 10.0)}
    observations = DECLARED["gradients"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        out = Output()
        obs = out.observations
        model = h.fresh_model()
        built = h.build_optimizer(model)
        opt = built.optimizer
        # More examples than the user's batch steady the statistics, as long
        # as a step on them fits half of this probe's time (on a large model
        # a step of STAT_EXAMPLES examples alone can take half a minute).
        size = STAT_EXAMPLES
        if h.batch_size < STAT_EXAMPLES:
            size = ctx.fit_examples(STAT_EXAMPLES, h.batch_size, h.seconds_per_example or self._rate(h, model),
                                    share=0.5)
        batch = stats_batch(h, model, limit=size)

        trainable = [p for p in model.parameters() if p.requires_grad]
        total = sum(p.numel() for p in model.parameters())
        n_train = sum(p.numel() for p in trainable)
        obs["trainable_fraction"] = n_train / total if total else 0.0
        obs["trainable_weight_layers"] = sum(1 for m in model.modules() if isinstance(m, WEIGHT_LAYERS + (nn.Embedding,))
                                             and any(w.requires_grad for w in weights_of(m)))
        held = {id(p) for g in opt.param_groups for p in g["params"]}
        optimised = [p for p in trainable if id(p) in held]
        obs["optimizer_coverage"] = sum(p.numel() for p in optimised) / n_train if n_train else 0.0
        if built.foreign:
            out.notes.append(f"the optimizer holds {built.foreign} parameter tensor(s) that are not the model's")
        frozen = [m for m in model.modules() if isinstance(m, WEIGHT_LAYERS) and weights_of(m)
                  and not any(w.requires_grad for w in weights_of(m))]
        if frozen:
            obs["frozen_random_fraction"] = sum(looks_untrained(m) for m in frozen) / len(frozen)
        registered = {id(p) for p in model.parameters()}
        called: list[nn.Module] = []
        handle = torch.nn.modules.module.register_module_forward_hook(
            lambda module, args, output: called.append(module))
        started = time.perf_counter()
        try:
            with ActivationRecorder(model) as rec:
                opt.zero_grad(set_to_none=True)
                loss = h.batch_loss(model, batch)
        finally:
            handle.remove()
        stray = {id(p): p for m in called for p in m.parameters(recurse=False)
                 if p.requires_grad and id(p) not in registered}
        obs["unregistered_params"] = sum(p.numel() for p in stray.values())
        if n_train + obs["unregistered_params"]:
            obs["unregistered_fraction"] = obs["unregistered_params"] / (n_train + obs["unregistered_params"])
        if not loss.requires_grad:
            out.notes.append("the loss has no gradient: nothing to measure past the forward pass")
            return out
        loss.backward()
        h.steps += 1
        rnn = next((m for m in model.modules() if isinstance(m, nn.RNNBase)), None)
        if rnn is not None:
            obs["recurrent_kind"] = {nn.GRU: "gru", nn.LSTM: "lstm"}.get(type(rnn), "rnn")

        # Frozen layers (fine-tuning) get no gradient by design: gradient flow
        # is judged over the layers that train.
        layers = [m for m in rec.layers() if any(w.requires_grad for w in weights_of(m))]
        obs["layers"] = len(layers)
        rel = []
        table = []
        for m in layers:
            ws = weights_of(m)
            wn = math.sqrt(sum(float(w.detach().pow(2).sum()) for w in ws))
            gs = [w.grad for w in ws if w.grad is not None]
            gn = math.sqrt(sum(float(g.detach().pow(2).sum()) for g in gs)) if gs else 0.0
            r = gn / wn if wn > 0 else math.nan
            rel.append(r)
            table.append({"layer": self._name(model, m), "type": type(m).__name__,
                          "grad_norm": gn, "weight_norm": wn, "relative_grad": r})
        finite_rel = [r for r in rel if math.isfinite(r)]
        if len(rel) >= 2 and math.isfinite(rel[0]) and math.isfinite(rel[-1]) and rel[-1] > 0:
            obs["first_last_ratio"] = rel[0] / rel[-1]
        if finite_rel:
            obs["max_relative_grad"] = max(finite_rel)
        loss_finite = math.isfinite(float(loss.detach()))
        obs["grad_nonfinite"] = bool(loss_finite and any(
            p.grad is not None and not bool(torch.isfinite(p.grad).all()) for p in trainable))
        if optimised:
            silent = sum(p.numel() for p in optimised if p.grad is None or not bool((p.grad != 0).any()))
            obs["no_grad_fraction"] = silent / sum(p.numel() for p in optimised)

        if rec.pre_act and len(layers) >= 3:
            stds = [rec.pre_act[m] for m in layers if m in rec.pre_act]
            if len(stds) >= 3 and stds[0] > 0:
                obs["activation_scale_ratio"] = stds[-1] / stds[0]
                # The same as a factor per layer: a shrink end to end grows
                # with depth even at a sound initialisation, a shrink per
                # layer does not (knowledge/tree.yaml, init_scale_shrinks).
                obs["activation_scale_per_layer"] = (stds[-1] / stds[0]) ** (1 / (len(stds) - 1))
        out.details["activation_std"] = [rec.pre_act.get(m) for m in layers]
        if rec.squash:
            obs["saturated_fraction"] = statistics.fmean(rec.squash)
        obs["symmetric_layers"] = sum(1 for m in layers[:-1] if self._symmetric(m))
        obs.update(rec.dead())

        if loss_finite and not obs["grad_nonfinite"]:
            h.guard()
            # The weights before the step: read back from the snapshot one
            # tensor at a time when the model is the user's own (it was
            # restored to exactly those values), else cloned; either way no
            # second copy of the whole model is held.
            names = {id(p): n for n, p in model.named_parameters()}
            before: dict[int, torch.Tensor] = {}
            if not h.in_place:
                before = {id(p): p.detach().clone() for p in trainable}
            opt.step()
            # The first timed step of the run: later probes size their work by it.
            float(loss.detach())
            h.note_step_time(time.perf_counter() - started, batch_len(batch[0]) or 1)

            def old(w: torch.Tensor) -> torch.Tensor | None:
                if id(w) in before:
                    return before[id(w)]
                if not h.in_place or id(w) not in names or not w.requires_grad:
                    return None
                return h.original(names[id(w)], w)

            ratios = []
            for m, row in zip(layers, table):
                ws = weights_of(m)
                squares = 0.0
                for w in ws:
                    was = old(w)
                    if was is not None:
                        squares += float((w.detach() - was).pow(2).sum())
                dn = math.sqrt(squares)
                wn = row["weight_norm"]
                if wn > 0:
                    row["update_ratio"] = dn / wn
                    ratios.append(dn / wn)
            if ratios:
                obs["update_ratio_median"] = statistics.median(ratios)
                obs["update_ratio_max"] = max(ratios)
            ends = [table[0].get("update_ratio"), table[-1].get("update_ratio")] if len(table) >= 2 else []
            if ends and ends[0] is not None and ends[1] and math.isfinite(ends[0]) and math.isfinite(ends[1]):
                # Whether the first layer's small gradient keeps it from moving
                # (tree.yaml, grad_flow_vanishing): Adam's step does not shrink with it.
                obs["first_last_update_ratio"] = ends[0] / ends[1]
            if n_train:
                still = 0
                for p in trainable:
                    was = old(p)
                    still += p.numel() if was is not None and torch.equal(p.detach(), was) else 0
                obs["unchanged_fraction"] = still / n_train
            del before
        out.details["layers"] = LayerTable(table)
        # Last: it runs a model of its own (fresh_model), which in place is
        # this one, put back as it came in.
        ratio = time_gradient_ratio(h, batch)
        if ratio is not None:
            obs["time_grad_ratio"] = ratio
        return out

    @staticmethod
    def _rate(h: Harness, model: nn.Module) -> float:
        """Seconds per example of a training step, before any was timed: a
        forward pass on the user's first batch, three times over (the
        backward pass costs about twice the forward)."""
        inputs, targets = h.batches[0]
        # In eval mode and on a forked generator: BatchNorm's statistics and
        # the random stream the measurements below draw from stay as they were.
        was = {m: m.training for m in model.modules()}
        devices = [h.device.index or 0] if h.device.type == "cuda" else []
        try:
            with torch.random.fork_rng(devices=devices), torch.no_grad():
                model.eval()
                start = time.perf_counter()
                float(h.batch_loss(model, (inputs, targets)).detach().float().mean())   # waits for the device
                seconds = time.perf_counter() - start
        finally:
            for m, mode in was.items():
                m.training = mode
        return 3 * seconds / max(1, batch_len(inputs))

    @staticmethod
    def _symmetric(m: nn.Module) -> bool:
        w = weights_of(m)[0].detach()
        if w.shape[0] < 2:
            return False
        flat = w.reshape(w.shape[0], -1)
        return bool(torch.equal(flat, flat[:1].expand_as(flat)))

    @staticmethod
    def _name(model: nn.Module, module: nn.Module) -> str:
        for name, m in model.named_modules():
            if m is module:
                return name or type(module).__name__
        return type(module).__name__
