"""The first step: the loss at initialisation and what the loss function does.

Diagnoses (through the knowledge base): device_mismatch and other errors
of the first forward pass, output_activation_mismatch, loss_task_mismatch,
target_shape_mismatch, constant_loss, loss_not_averaged, and a first loss
far above what the task implies (bad_initialization,
inputs_not_normalized). Runs on a copy of the model, one batch.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from loss_advisor.core.kb import threshold
from loss_advisor.probes.base import Budget, Context, Output, Probe
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probing.harness import as_loss, batch_len, take
from loss_advisor.probing.target import describe_exception

# Which kind of input each well-known loss expects.
LOSS_KINDS: list[tuple[Any, str]] = [
    (nn.CrossEntropyLoss, "cross_entropy"), (F.cross_entropy, "cross_entropy"),
    (nn.NLLLoss, "nll"), (F.nll_loss, "nll"),
    (nn.BCEWithLogitsLoss, "bce_with_logits"), (F.binary_cross_entropy_with_logits, "bce_with_logits"),
    (nn.BCELoss, "bce"), (F.binary_cross_entropy, "bce"),
    (nn.MSELoss, "regression"), (F.mse_loss, "regression"),
    (nn.L1Loss, "regression"), (F.l1_loss, "regression"),
    (nn.SmoothL1Loss, "regression"), (F.smooth_l1_loss, "regression"),
    (nn.HuberLoss, "regression"), (F.huber_loss, "regression"),
    (nn.KLDivLoss, "kl_div"), (F.kl_div, "kl_div"),
]
# Logit margin for "ideal" outputs: e^-20 makes a cross-entropy of ~1e-9.
MARGIN = 10.0


def loss_kind(loss_fn: Any) -> str:
    for known, kind in LOSS_KINDS:
        if (isinstance(known, type) and isinstance(loss_fn, known)) or loss_fn is known:
            return kind
    return "custom"


def main_output(outputs: Any) -> torch.Tensor | None:
    if isinstance(outputs, torch.Tensor):
        return outputs
    for key in ("logits", "prediction", "output"):
        value = outputs.get(key) if isinstance(outputs, dict) else getattr(outputs, key, None)
        if isinstance(value, torch.Tensor):
            return value
    if isinstance(outputs, (tuple, list)) and outputs and isinstance(outputs[0], torch.Tensor):
        return outputs[0]
    return None


def behavioural_loss_kind(loss_fn: Any, task: str, o: torch.Tensor, targets: torch.Tensor) -> str:
    """What a custom loss (a lambda, a wrapper around F.cross_entropy...) expects,
    read from how it scores perfect outputs in each form: near zero for
    confident logits means it applies softmax/sigmoid itself; negative for
    logits means it takes log-probabilities as they are (NLL); near zero for
    0/1 probabilities but not for logits means it expects probabilities."""
    def score(outputs: torch.Tensor) -> float | None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                v = float(as_loss(loss_fn(outputs, targets)).detach())
        except Exception:
            return None
        return v if math.isfinite(v) else None

    if task in ("classification", "segmentation") and o.dim() >= 2 and o.shape[1] >= 2 \
            and not targets.is_floating_point():
        C = o.shape[1]
        if targets.shape != o.shape[:1] + o.shape[2:] or int(targets.min()) < 0 or int(targets.max()) >= C:
            return "custom"
        one_hot = F.one_hot(targets.long(), C).movedim(-1, 1).to(o.dtype)
        logits, probs = score(one_hot * 2 * MARGIN - MARGIN), score(one_hot)
    elif task == "binary" and targets.numel() == o.numel():
        t = targets.reshape(o.shape).to(o.dtype)
        logits, probs = score(t * 2 * MARGIN - MARGIN), score(t.clamp(1e-6, 1 - 1e-6))
    else:
        return "custom"
    if logits is not None and logits < -1.0:
        return "nll"
    if logits is not None and abs(logits) < 1e-3 and (probs is None or probs > 0.05):
        return "cross_entropy" if task != "binary" else "bce_with_logits"
    if probs is not None and abs(probs) < 1e-3 and (logits is None or abs(logits) > 0.05):
        # Probabilities in: binary cross-entropy scores a 0.5 guess at ln 2,
        # a squared error at 0.25 (and a multi-class one-hot loss is MSE-like).
        if task == "binary":
            half = score(torch.full_like(o, 0.5))
            if half is not None and abs(half - math.log(2)) < 0.05:
                return "bce"
        return "regression"
    return "custom"


def output_kind(out: torch.Tensor) -> str:
    """probabilities (softmax), log_probabilities, unit_interval (sigmoid) or logits."""
    o = out.detach().float()
    if o.numel() == 0 or not bool(torch.isfinite(o).all()):
        return "other"
    if o.dim() >= 2 and o.shape[1] >= 2:
        in_unit = bool(((o >= 0) & (o <= 1)).all())
        if in_unit and bool(torch.allclose(o.sum(1), torch.ones_like(o.sum(1)), atol=1e-3)):
            return "probabilities"
        if bool((o <= 1e-6).all()) and bool(torch.allclose(o.logsumexp(1), torch.zeros_like(o.sum(1)), atol=1e-3)):
            return "log_probabilities"
    if o.numel() >= 8 and bool(((o > 0) & (o < 1)).all()):
        return "unit_interval"
    return "logits"


@torch.no_grad()
def squashed(h, model: nn.Module, inputs: Any) -> bool:
    """Do the outputs pass through a sigmoid-like squashing? Scale the last
    weight layer tenfold: raw logits leave (0, 1), squashed outputs cannot.
    (Untrained logits often all lie in (0, 1) by chance: small weights and a
    positive bias.)"""
    # The scaled weights are passed to a functional call, never written into
    # the model: the model is the user's own (probes work in place), and the
    # caller's loss still needs the weights it was computed with.
    from torch.func import functional_call

    was = {name: m.training for name, m in model.named_modules()}
    model.eval()
    last = None
    def remember(module, args, output):
        nonlocal last
        if any(p.dim() >= 2 for p in module.parameters(recurse=False)):
            last = module
    handle = torch.nn.modules.module.register_module_forward_hook(remember)
    try:
        try:
            h.forward(model, inputs)
        finally:
            handle.remove()
        if last is None:
            return True
        prefix = next((name for name, m in model.named_modules() if m is last), None)
        if prefix is None:
            return True          # a layer built inside forward(): scaling it cannot show anything
        scaled = {(f"{prefix}.{n}" if prefix else n): p * 10.0 for n, p in last.named_parameters(recurse=False)}
        if isinstance(inputs, dict):
            outputs = functional_call(model, scaled, (), inputs, strict=False)
        elif isinstance(inputs, (tuple, list)):
            outputs = functional_call(model, scaled, tuple(inputs), strict=False)
        else:
            outputs = functional_call(model, scaled, (inputs,), strict=False)
        o = main_output(outputs)
    finally:
        for name, m in model.named_modules():
            if name in was:
                m.training = was[name]
    return o is not None and bool(((o >= 0) & (o <= 1)).all())


def infer_task(declared: str | None, out: torch.Tensor | None, targets: Any) -> str:
    if declared:
        return declared
    if not isinstance(targets, torch.Tensor):
        return "unknown"
    if not targets.is_floating_point():
        if out is not None and out.dim() >= 3 and targets.dim() >= 2:
            return "segmentation"
        if out is not None and out.dim() >= 2 and out.shape[1] == 1 or (out is not None and out.dim() == 1):
            return "binary"
        return "classification"
    values = targets[torch.isfinite(targets)]
    if values.numel() and bool(torch.all((values == 0) | (values == 1))):
        return "binary"
    if targets.dim() == 2 and targets.shape[1] > 1 and bool(torch.all(targets >= 0)) \
            and bool(torch.allclose(targets.sum(1), torch.ones(targets.shape[0], device=targets.device), atol=1e-3)):
        return "classification"
    return "regression"


def ideal_outputs(task: str, out: torch.Tensor, targets: torch.Tensor) -> list[torch.Tensor]:
    """Outputs a perfect model could give, in each form a loss might expect."""
    forms: list[torch.Tensor] = []
    if task in ("classification", "segmentation") and out.dim() >= 2 and out.shape[1] >= 2:
        C = out.shape[1]
        t = targets if not targets.is_floating_point() else (
            targets.argmax(1) if targets.dim() == out.dim() else targets.round().long())
        if t.shape == out.shape[:1] + out.shape[2:] and int(t.min()) >= 0 and int(t.max()) < C:
            one_hot = F.one_hot(t.long(), C).movedim(-1, 1).to(out.dtype)
            logits = one_hot * 2 * MARGIN - MARGIN
            forms += [logits, logits.log_softmax(1), one_hot]
    if task == "binary" and targets.numel() == out.numel():
        t = targets.reshape(out.shape).to(out.dtype)
        forms += [t * 2 * MARGIN - MARGIN, t.clamp(1e-6, 1 - 1e-6)]
    if task == "regression" and targets.numel() == out.numel() and targets.is_floating_point():
        forms.append(targets.reshape(out.shape).to(out.dtype))
    return forms


class LayerTracker:
    """Which of the model's modules was still running when the forward pass
    raised: the innermost one entered and not left. Hooks are removed on exit."""

    def __init__(self, model: torch.nn.Module):
        self.names = {id(m): name for name, m in model.named_modules()}
        self.model = model
        self.stack: list[tuple[torch.nn.Module, tuple]] = []
        self.failed: tuple[torch.nn.Module, tuple] | None = None
        self.handles: list = []

    def __enter__(self) -> "LayerTracker":
        for m in self.model.modules():
            self.handles.append(m.register_forward_pre_hook(self._enter))
            self.handles.append(m.register_forward_hook(self._leave))
        return self

    def _enter(self, module, args) -> None:
        self.stack.append((module, args))

    def _leave(self, module, args, output) -> None:
        if self.stack and self.stack[-1][0] is module:
            self.stack.pop()

    def __exit__(self, exc_type, exc, tb) -> bool:
        for handle in self.handles:
            handle.remove()
        if exc_type is not None and self.stack:
            self.failed = self.stack[-1]
        return False

    def failed_layer(self) -> dict[str, Any]:
        """The failing module's name and type, and for a Linear or a convolution
        the features or channels it expects against those it got."""
        module, args = self.failed
        name = self.names.get(id(module)) or "(the model)"
        found: dict[str, Any] = {"error_layer": f"{name} ({type(module).__name__})"}
        x = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if isinstance(module, torch.nn.Linear) and x is not None and x.dim() >= 1:
            found["error_layer_expects"], found["error_layer_got"] = module.in_features, int(x.shape[-1])
        elif isinstance(module, torch.nn.modules.conv._ConvNd) and x is not None and x.dim() >= 2:
            channels = int(x.shape[1]) if x.dim() == module.weight.dim() else int(x.shape[0])
            found["error_layer_expects"], found["error_layer_got"] = module.in_channels, channels
        return found


class InitLossProbe(Probe):
    name = "init_loss"
    title = {"en": "Loss at initialisation", "ja": "初期状態のloss"}
    budgets = {"fast": Budget(4, 3.0), "full": Budget(4, 10.0)}
    observations = DECLARED["init_loss"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        out = Output()
        obs = out.observations
        kind = loss_kind(h.target.loss_fn)
        obs["loss_kind"] = kind
        weight = getattr(h.target.loss_fn, "weight", None)
        pos_weight = getattr(h.target.loss_fn, "pos_weight", None)
        obs["class_weights"] = isinstance(weight, torch.Tensor) or isinstance(pos_weight, torch.Tensor)
        obs["error"] = ""
        inputs, targets = h.batches[0]
        model = h.fresh_model()
        obs["trainable_params"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
        tracker = LayerTracker(model)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with tracker:
                    outputs = h.forward(model, inputs)
                loss = h.loss(outputs, targets)
            obs["shape_warning"] = any("target size" in str(w.message) for w in caught)
            h.steps += 1
        except Exception as exc:
            obs["error"] = describe_exception(exc)
            out.details["error_during"] = "forward/loss"
            if tracker.failed is not None:
                obs.update(tracker.failed_layer())
            return out
        o = main_output(outputs)
        task = infer_task(h.target.task, o, targets)
        obs["task"] = task
        if kind == "custom" and o is not None and isinstance(targets, torch.Tensor):
            kind = behavioural_loss_kind(h.target.loss_fn, task, o.detach(), targets)
            obs["loss_kind"] = kind
        if o is not None:
            kind_of_output = output_kind(o)
            if kind_of_output == "unit_interval" and not squashed(h, model, inputs):
                kind_of_output = "logits"      # small logits that merely happen to lie in (0, 1)
            obs["output_kind"] = kind_of_output
            out.details["output_shape"] = list(o.shape)
            # A class per position (sequence, language_modeling): the classes are the last dimension.
            per_position = task in ("sequence", "language_modeling") and o.dim() >= 3
            obs["output_classes"] = int(o.shape[-1] if per_position else o.shape[1]) if o.dim() >= 2 else 1
        if isinstance(targets, torch.Tensor):
            out.details["target_shape"] = list(targets.shape)
            t = targets[torch.isfinite(targets)] if targets.is_floating_point() else None
            if t is not None and t.numel():
                uniq = torch.unique(t)
                obs["targets_look_categorical"] = bool(threshold("targets.categorical_min_values") <= uniq.numel()
                                                     <= threshold("targets.categorical_max_values")
                                                     and torch.all(uniq == uniq.round()))
        value = float(loss.detach())
        obs["loss_initial"] = value
        expected = self._expected(task, kind, o, targets)
        if expected:
            obs["expected_loss"] = expected
            if math.isfinite(value):
                obs["initial_loss_ratio"] = value / expected
        if o is not None and isinstance(targets, torch.Tensor) and math.isfinite(value) and value != 0:
            ideal = self._ideal_loss(h, task, o.detach(), targets)
            if ideal is not None:
                obs["ideal_loss_ratio"] = abs(ideal) / abs(value)
        obs["loss_requires_grad"] = bool(loss.requires_grad)
        obs["grad_nonzero_fraction"] = self._grad_fraction(loss, model, obs, out)
        scaling = self._batch_scaling(h, model, inputs, targets)
        if scaling is not None:
            obs["loss_batch_scaling"] = scaling
        return out

    @staticmethod
    def _expected(task: str, kind: str, o: torch.Tensor | None, targets: Any) -> float | None:
        if task in ("classification", "segmentation") and o is not None and o.dim() >= 2 and o.shape[1] >= 2 \
                and kind in ("cross_entropy", "nll", "custom"):
            return math.log(o.shape[1])
        if task in ("sequence", "language_modeling") and o is not None and o.dim() >= 3 and o.shape[-1] >= 2 \
                and kind in ("cross_entropy", "nll", "custom"):
            # Outputs (B, T, C), a class per position: an untrained model spreads
            # its probability over the C classes at every position.
            return math.log(o.shape[-1])
        if task in ("binary", "multilabel") and kind in ("bce", "bce_with_logits", "cross_entropy"):
            # Each label, on its own, is a coin at the start: ln 2 per label, averaged.
            return math.log(2)
        if task == "regression" and kind == "regression" and isinstance(targets, torch.Tensor):
            t = targets.detach().float()
            t = t[torch.isfinite(t)]
            if t.numel():
                # An untrained model's outputs are near zero, so MSE starts near
                # mean(y^2) and L1 near mean(|y|); both are the scale to compare with.
                mse = float(t.pow(2).mean())
                return mse if mse > 0 else None
        return None

    @staticmethod
    def _ideal_loss(h, task: str, o: torch.Tensor, targets: torch.Tensor) -> float | None:
        best = None
        for form in ideal_outputs(task, o, targets):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    v = float(as_loss(h.target.loss_fn(form, targets)).detach())
            except Exception:
                continue
            if math.isfinite(v) and (best is None or abs(v) < abs(best)):
                best = v
        return best

    @staticmethod
    def _grad_fraction(loss: torch.Tensor, model: nn.Module, obs: dict, out: Output) -> float:
        trainable = [p for p in model.parameters() if p.requires_grad]
        total = sum(p.numel() for p in trainable)
        if not loss.requires_grad or total == 0:
            return 0.0
        try:
            loss.backward()
        except Exception as exc:
            obs["error"] = describe_exception(exc)
            out.details["error_during"] = "backward"
            return 0.0
        nonzero = sum(int((p.grad != 0).sum()) for p in trainable if p.grad is not None)
        return nonzero / total

    @staticmethod
    @torch.no_grad()
    def _batch_scaling(h, model: nn.Module, inputs: Any, targets: Any) -> float | None:
        n = batch_len(inputs)
        if n < 4 or batch_len(targets) != n:
            return None
        half = n // 2
        model.eval()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                whole = h.batch_loss(model, (take(inputs, slice(0, 2 * half)), take(targets, slice(0, 2 * half))))
                a = h.batch_loss(model, (take(inputs, slice(0, half)), take(targets, slice(0, half))))
                b = h.batch_loss(model, (take(inputs, slice(half, 2 * half)), take(targets, slice(half, 2 * half))))
        except Exception:
            return None
        finally:
            model.train()
        mean_halves = (float(a) + float(b)) / 2
        if not math.isfinite(mean_halves) or abs(mean_halves) < 1e-12:
            return None
        return float(whole) / mean_halves
