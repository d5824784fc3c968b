"""Watch what today's training adds around each optimizer step.

The audit of the user's own `train_step` (probes/step_setup.py) and the
watch mode of an unchanged script (watch/recorder.py) both install a
SetupMonitor. Per optimizer step it keeps:

- the learning rate of every parameter group, and the scheduler.step()
  calls since the previous step (`torch.optim.lr_scheduler`, wrapped at the
  class level for as long as the monitor is installed);
- the autocast dtype in effect during the model's training forward pass;
- the GradScaler's use: scale() on the loss, unscale_(), step() (and
  whether it skipped the optimizer step), update();
- the backward passes that feed the step, each with the value handed to
  backward() against the loss the loss function returned (so `loss / N`
  shows as 1/N, and the GradScaler's factor is taken out), and whether the
  gradients were cleared between two backward passes of the same step;
- every clip_grad_norm_ / clip_grad_value_ call: the total norm before and
  the ratio after/before.

Every few steps (`every`) it also counts gradient values that are exactly
zero or not finite. Values stay tensors until `series()` reads them, so
that recording never waits for a GPU. The monitor decides nothing:
`summarise()` turns the series into the `schedule.*` and `step_setup.*`
observations, and the knowledge base decides.

Every hook is guarded: a failure is counted in `errors` and the user's
code goes on unchanged. `uninstall()` restores every wrapped attribute.
"""
from __future__ import annotations

import functools
import logging
import math
import statistics
from typing import Any, Callable, Iterable, Mapping

import torch
from torch import nn

log = logging.getLogger(__name__)

# Optimizers that divide each update by a running scale of the gradient
# (Adam's family and its relatives): a constant factor on every gradient
# (clipping to a fixed norm, an unscaled accumulation) cancels out of their
# update, up to eps.
ADAPTIVE = ("Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop", "SparseAdam", "Adafactor",
            "Lion", "LAMB", "Lamb")


def _guard(method: Callable) -> Callable:
    @functools.wraps(method)
    def wrapper(self: "SetupMonitor", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:   # never the user's problem
            self.errors.append(f"{method.__name__}: {type(exc).__name__}: {exc}")
            log.debug("setup monitor hook %s failed", method.__name__, exc_info=True)
            return None
    return wrapper


def _scalar(value: Any) -> torch.Tensor | float | None:
    if isinstance(value, torch.Tensor):
        return value.detach().reshape(()) if value.numel() == 1 else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        return None


def _division(loss: torch.Tensor) -> float:
    """The factor a loss was multiplied by on its last operation, when that
    operation is a division or a multiplication by a constant (`loss / N`,
    `loss * (1 / N)`); 1.0 otherwise. Read from the autograd graph only."""
    fn = getattr(loss, "grad_fn", None)
    if fn is None:
        return 1.0
    name = fn.name()
    other = getattr(fn, "_saved_other", None)
    if isinstance(other, torch.Tensor):
        if other.numel() != 1 or other.requires_grad:
            return 1.0
        other = float(other)
    if not isinstance(other, (int, float)) or not math.isfinite(other) or other == 0:
        return 1.0
    if name == "DivBackward0":
        return 1.0 / other
    if name == "MulBackward0":
        return float(other)
    return 1.0


def _lr_schedulers() -> list[type]:
    """Scheduler classes that define their own step() (the base class and the
    few that override it), so that one wrapper each sees every call."""
    from torch.optim import lr_scheduler
    base = getattr(lr_scheduler, "LRScheduler", None) or lr_scheduler._LRScheduler
    found = [base]
    for value in vars(lr_scheduler).values():
        if (isinstance(value, type) and value is not base and "step" in vars(value)
                and (issubclass(value, base) or value.__name__ == "ReduceLROnPlateau")):
            found.append(value)
    return found


class SetupMonitor:
    """Per-step records of the schedule, precision, accumulation and clipping."""

    def __init__(self, every: int = 10, limit: int = 10_000):
        self.every = max(1, every)
        self.limit = limit
        self.steps: list[dict[str, Any]] = []     # one per optimizer step (and per skipped scaler step)
        self.errors: list[str] = []
        self.scheduler: str | None = None
        self.scaler_used = False
        self.scaler_steps = 0
        self.scaler_skipped = 0
        self.scaler_updates = 0
        self.optimizer: str | None = None
        self.optimizer_eps: float | None = None
        self.sentinel: torch.Tensor | None = None
        self._patches: list[tuple[Any, str, Any]] = []
        self._scaled: dict[int, tuple[Any, Any]] = {}    # id(scaled loss) -> (loss, scale)
        self._last_loss: Any = None                       # the loss function's last output with gradients
        self._sched_depth = 0
        self._clip_depth = 0
        self._in_scaler_step = 0
        self._stepped_inside = False
        self._read: list[dict[str, Any]] = []
        self._new()

    def _new(self) -> None:
        self._cur: dict[str, Any] = {"backwards": [], "zeroed_inside": False, "sched_calls": 0, "autocast": None,
                                     "scaler_step": False, "unscaled": False, "scaled": False, "clips": [],
                                     "skipped": False, "grads": None, "clip_scaled": False}

    # --- installing ---------------------------------------------------------------------
    def install(self, backward: bool = False) -> "SetupMonitor":
        """Wrap clipping, the GradScaler and the schedulers at the class level
        (and torch.autograd.backward when `backward`: the watch's recorder
        wraps it already and calls before/after_backward itself)."""
        try:
            self._install(backward)
        except BaseException:
            self.uninstall()
            raise
        return self

    def _wrap(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return
        self._patches.append((owner, name, original))
        setattr(owner, name, functools.wraps(original)(make(original)))

    def _install(self, backward: bool) -> None:
        import torch.nn.utils as nn_utils
        from torch.nn.utils import clip_grad

        monitor = self

        def norm_clip(original):
            def clip_grad_norm_(parameters, max_norm, *args, **kwargs):
                monitor._clip_depth += 1
                try:
                    total = original(parameters, max_norm, *args, **kwargs)
                finally:
                    monitor._clip_depth -= 1
                monitor.on_clip_norm(total, max_norm)
                return total
            return clip_grad_norm_

        def with_norm_clip(original):
            # torch >= 2.6 (and Accelerate, so the Hugging Face Trainer): the norm
            # from get_total_norm, then clip_grads_with_norm_; clip_grad_norm_
            # calls it too, and is counted there.
            def clip_grads_with_norm_(parameters, max_norm, total_norm, *args, **kwargs):
                result = original(parameters, max_norm, total_norm, *args, **kwargs)
                if not monitor._clip_depth:
                    monitor.on_clip_norm(total_norm, max_norm)
                return result
            return clip_grads_with_norm_

        def value_clip(original):
            def clip_grad_value_(parameters, clip_value, *args, **kwargs):
                params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
                before = monitor._grad_norm(params)
                result = original(params, clip_value, *args, **kwargs)
                monitor.on_clip_value(before, monitor._grad_norm(params))
                return result
            return clip_grad_value_

        for owner in {id(nn_utils): nn_utils, id(clip_grad): clip_grad}.values():
            self._wrap(owner, "clip_grad_norm_", norm_clip)
            self._wrap(owner, "clip_grads_with_norm_", with_norm_clip)
            self._wrap(owner, "clip_grad_value_", value_clip)

        scaler_class = getattr(getattr(torch, "amp", None), "GradScaler", None)
        if scaler_class is not None:
            def scale(original):
                def wrapped(scaler, outputs, *args, **kwargs):
                    result = original(scaler, outputs, *args, **kwargs)
                    monitor.on_scale(scaler, outputs, result)
                    return result
                return wrapped

            def unscale(original):
                def wrapped(scaler, optimizer, *args, **kwargs):
                    monitor._cur["unscaled"] = True
                    return original(scaler, optimizer, *args, **kwargs)
                return wrapped

            def scaler_step(original):
                def wrapped(scaler, optimizer, *args, **kwargs):
                    monitor._in_scaler_step += 1
                    monitor._stepped_inside = False
                    monitor._cur["scaler_step"] = True
                    try:
                        return original(scaler, optimizer, *args, **kwargs)
                    finally:
                        monitor._in_scaler_step -= 1
                        monitor.on_scaler_step(scaler)
                return wrapped

            def update(original):
                def wrapped(scaler, *args, **kwargs):
                    result = original(scaler, *args, **kwargs)
                    monitor.scaler_updates += 1
                    return result
                return wrapped

            for name, make in (("scale", scale), ("unscale_", unscale), ("step", scaler_step), ("update", update)):
                self._wrap(scaler_class, name, make)

        def sched_step(original):
            def wrapped(sched, *args, **kwargs):
                initial = monitor._sched_depth == 0 and getattr(sched, "_step_count", 1) == 0
                monitor._sched_depth += 1
                try:
                    return original(sched, *args, **kwargs)
                finally:
                    monitor._sched_depth -= 1
                    if monitor._sched_depth == 0 and not initial:
                        monitor.on_scheduler_step(sched)
            return wrapped

        for cls in _lr_schedulers():
            self._wrap(cls, "step", sched_step)

        if backward:
            def backward_wrapper(original):
                def wrapped(tensors, *args, **kwargs):
                    monitor.before_backward(tensors)
                    result = original(tensors, *args, **kwargs)
                    monitor.after_backward()
                    return result
                return wrapped
            self._wrap(torch.autograd, "backward", backward_wrapper)

    def uninstall(self) -> None:
        for owner, name, original in reversed(self._patches):
            setattr(owner, name, original)
        self._patches.clear()

    def __enter__(self) -> "SetupMonitor":
        return self.install(backward=True)

    def __exit__(self, *exc: Any) -> None:
        self.uninstall()

    # --- what the owner reports ------------------------------------------------------------
    @_guard
    def on_forward(self) -> None:
        """The model's forward pass began (with gradients): the autocast state."""
        if not torch.is_grad_enabled():
            return
        for device in ("cuda", "cpu", "mps", "xpu"):
            try:
                if torch.is_autocast_enabled(device):
                    self._cur["autocast"] = str(torch.get_autocast_dtype(device)).replace("torch.", "")
                    return
            except (RuntimeError, TypeError, AttributeError):
                continue
        if self._cur["autocast"] is None:
            self._cur["autocast"] = "none"

    @_guard
    def on_loss(self, output: Any) -> None:
        """The loss function returned `output` (with gradients). Several loss
        terms before one backward (a multi-task sum) are added up: the value
        handed to backward() is read against their sum."""
        if isinstance(output, torch.Tensor) and output.numel() == 1 and torch.is_grad_enabled():
            value = output.detach().float().reshape(())
            self._last_loss = value if self._last_loss is None else self._last_loss + value

    @_guard
    def on_scale(self, scaler: Any, outputs: Any, result: Any) -> None:
        enabled = getattr(scaler, "is_enabled", lambda: True)()
        if not enabled or not isinstance(result, torch.Tensor) or result.numel() != 1:
            return
        self.scaler_used = True
        self._cur["scaled"] = True
        if len(self._scaled) > 64:
            self._scaled.clear()
        self._scaled[id(result)] = (outputs, getattr(scaler, "_scale", None))

    @_guard
    def before_backward(self, tensors: Any) -> None:
        loss = tensors if isinstance(tensors, torch.Tensor) else (
            tensors[0] if isinstance(tensors, (list, tuple)) and tensors and isinstance(tensors[0], torch.Tensor)
            else None)
        if loss is None or loss.numel() != 1:
            return
        scale: Any = 1.0
        base = loss
        scaled = self._scaled.pop(id(loss), None)
        if scaled is not None:
            base, scale = scaled
        # The loss function's output, when it ran since the last backward: the
        # value handed to backward() over it is how the loss was scaled.
        reference = self._last_loss
        factor = None if reference is not None else _division(base) if isinstance(base, torch.Tensor) else 1.0
        self._last_loss = None
        backwards = self._cur["backwards"]
        if backwards and self.sentinel is not None:
            grad = self.sentinel.grad
            if grad is None or not bool(grad.detach().any()):
                self._cur["zeroed_inside"] = True
        if len(backwards) < 64:
            backwards.append((loss.detach(), scale, reference, factor))

    @_guard
    def after_backward(self) -> None:
        if self.sentinel is None:
            self.sentinel = self._pick_sentinel()

    def _pick_sentinel(self) -> torch.Tensor | None:
        params = getattr(self, "_params", None) or []
        with_grad = [p for p in params if p.grad is not None and bool(p.grad.detach().any())]
        return min(with_grad, key=lambda p: p.numel()) if with_grad else None

    def watch_params(self, params: Iterable[torch.Tensor]) -> None:
        """The parameters whose gradients the monitor reads (the optimizer's)."""
        self._params = [p for p in params if isinstance(p, torch.Tensor)]

    @_guard
    def on_clip_norm(self, total: Any, max_norm: Any) -> None:
        clips = self._cur["clips"]
        if self._cur["scaled"] and not self._cur["unscaled"]:
            self._cur["clip_scaled"] = True     # the GradScaler's factor is still in the gradients
        if len(clips) < 8:
            clips.append(("norm", _scalar(total), _float(max_norm)))

    @_guard
    def on_clip_value(self, before: Any, after: Any) -> None:
        clips = self._cur["clips"]
        if self._cur["scaled"] and not self._cur["unscaled"]:
            self._cur["clip_scaled"] = True
        if len(clips) < 8:
            clips.append(("value", before, after))

    @_guard
    def on_scheduler_step(self, sched: Any) -> None:
        self._cur["sched_calls"] += 1
        if self.scheduler is None:
            self.scheduler = type(sched).__name__

    @_guard
    def on_scaler_step(self, scaler: Any) -> None:
        self.scaler_steps += 1
        if not self._stepped_inside:
            # GradScaler.step() skipped optimizer.step(): inf/NaN in the gradients.
            self.scaler_skipped += 1
            self._cur["skipped"] = True
            self._close(None)

    @_guard
    def before_step(self, opt: torch.optim.Optimizer) -> None:
        """Before an optimizer step (every `every`-th): the gradients' zero and non-finite values."""
        if self.optimizer is None:
            self.optimizer = type(opt).__name__
            eps = opt.defaults.get("eps")
            self.optimizer_eps = float(eps) if isinstance(eps, (int, float)) and not isinstance(eps, bool) else None
            if not getattr(self, "_params", None):
                self.watch_params(p for g in opt.param_groups for p in g["params"])
        if len(self.steps) % self.every == 0:
            grads = [p.grad.detach() for g in opt.param_groups for p in g["params"] if p.grad is not None]
            if grads:
                with torch.no_grad():
                    zeros = torch.stack([(g == 0).sum() for g in grads]).sum()
                    bad = torch.stack([(~torch.isfinite(g)).sum() for g in grads]).sum()
                self._cur["grads"] = (zeros, bad, sum(g.numel() for g in grads))

    @_guard
    def after_step(self, opt: torch.optim.Optimizer) -> None:
        if self._in_scaler_step:
            self._stepped_inside = True
        self._close(opt)

    def _close(self, opt: torch.optim.Optimizer | None) -> None:
        if len(self.steps) >= self.limit:
            self._new()
            return
        cur = self._cur
        cur["lr"] = [_float(g.get("lr")) for g in opt.param_groups] if opt is not None else None
        self.steps.append(cur)
        self._new()

    # --- reading -------------------------------------------------------------------------------
    def series(self) -> dict[str, Any]:
        """The per-step records as plain numbers (JSON-ready). Steps already
        read are kept as numbers, so that reading again costs only the new ones."""
        pending: list[torch.Tensor] = []

        def slot(value: Any) -> Any:
            if isinstance(value, torch.Tensor):
                pending.append(value.float().reshape(()).cpu())
                return ("t", len(pending) - 1)
            return value

        fresh = []
        for cur in self.steps[len(self._read):]:
            fresh.append({
                "lr": cur.get("lr"), "sched": cur["sched_calls"], "autocast": cur["autocast"],
                "scaler_step": cur["scaler_step"], "unscaled": cur["unscaled"], "scaled": cur["scaled"],
                "skipped": cur["skipped"], "zeroed_inside": cur["zeroed_inside"], "clip_scaled": cur["clip_scaled"],
                "backwards": [[slot(v), slot(s), slot(r), f] for v, s, r, f in cur["backwards"]],
                "clips": [[kind, slot(a), slot(b)] for kind, a, b in cur["clips"]],
                "grads": [slot(cur["grads"][0]), slot(cur["grads"][1]), cur["grads"][2]] if cur["grads"] else None,
            })
        try:
            values = torch.stack(pending).tolist() if pending else []
        except RuntimeError:
            values = [float(v) for v in pending]

        def read(value: Any) -> Any:
            if isinstance(value, tuple) and len(value) == 2 and value[0] == "t":
                return values[value[1]]
            return value

        for row in fresh:
            row["backwards"] = [[read(x) for x in b] for b in row["backwards"]]
            row["clips"] = [[c[0], read(c[1]), read(c[2])] for c in row["clips"]]
            if row["grads"]:
                row["grads"] = [read(x) for x in row["grads"]]
        self._read.extend(fresh)
        return {"steps": list(self._read), "scheduler": self.scheduler, "scaler_used": self.scaler_used,
                "scaler_steps": self.scaler_steps, "scaler_skipped": self.scaler_skipped,
                "scaler_updates": self.scaler_updates, "optimizer": self.optimizer,
                "optimizer_eps": self.optimizer_eps, "errors": list(self.errors[:5])}

    @staticmethod
    def _grad_norm(params: list[torch.Tensor]) -> torch.Tensor | None:
        grads = [p.grad.detach().float() for p in params if isinstance(p, torch.Tensor) and p.grad is not None]
        if not grads:
            return None
        return torch.stack([g.pow(2).sum() for g in grads]).sum().sqrt()


def param_precision(model: nn.Module) -> tuple[str | None, float]:
    """The dtype that holds most trainable parameter values, and the share of
    trainable values held in a 16-bit float dtype."""
    sizes: dict[str, int] = {}
    for p in model.parameters():
        if p.requires_grad and p.is_floating_point():
            key = str(p.dtype).replace("torch.", "")
            sizes[key] = sizes.get(key, 0) + p.numel()
    total = sum(sizes.values())
    if not total:
        return None, 0.0
    half = sizes.get("float16", 0) + sizes.get("bfloat16", 0)
    return max(sizes, key=sizes.get), half / total


def eps_lost(eps: float | None, dtype: str | None) -> bool | None:
    """Adam's eps rounds to zero in the parameters' dtype (1e-8 in float16)."""
    if eps is None or dtype is None or eps <= 0:
        return None
    try:
        return float(torch.tensor(eps, dtype=getattr(torch, dtype))) == 0.0
    except (AttributeError, TypeError, RuntimeError):
        return None


def summarise(series: Mapping[str, Any], steps_per_epoch: int | None = None, collapse_ratio: float = 1e-2
              ) -> dict[str, Any]:
    """The `schedule.*` and `step_setup.*` observations from a monitor's
    series. `steps_per_epoch` is the training loader's length in batches
    (None when it has none); a pass over the data takes that many optimizer
    steps divided by the backward passes per step. Torch-free arithmetic."""
    steps = [s for s in series.get("steps") or [] if isinstance(s, Mapping)]
    obs: dict[str, Any] = {}
    taken = [s for s in steps if not s.get("skipped")]
    if not steps:
        return obs
    counts = [len(s.get("backwards") or []) for s in taken]
    micro = statistics.median(counts) if counts and any(counts) else None
    if steps_per_epoch and micro and micro > 1:
        # Batches per pass over the data, in optimizer steps: one per `micro` batches.
        steps_per_epoch = max(1, round(steps_per_epoch / micro))
    # --- schedule ------------------------------------------------------------------------
    lrs = [max(v for v in s["lr"] if v is not None) for s in taken
           if s.get("lr") and any(v is not None for v in s["lr"])]
    if lrs:
        obs.update(schedule_observations(lrs, steps_per_epoch, collapse_ratio))
        sched_calls = sum(int(s.get("sched") or 0) for s in taken)
        if series.get("scheduler"):
            obs["schedule.scheduler"] = series["scheduler"]
            obs["schedule.stepped_per_batch"] = sched_calls >= 0.5 * len(taken) and (steps_per_epoch or 2) > 1
    # --- precision -----------------------------------------------------------------------------
    kinds = [s.get("autocast") for s in steps if s.get("autocast")]
    if kinds:
        obs["step_setup.autocast_dtype"] = max(set(kinds), key=kinds.count)
    obs["step_setup.scaler_used"] = bool(series.get("scaler_used"))
    if series.get("scaler_used"):
        through = sum(1 for s in steps if s.get("scaler_step") or s.get("unscaled"))
        obs["step_setup.scaler_step_fraction"] = through / len(steps)
        if series.get("scaler_steps"):
            obs["step_setup.skipped_fraction"] = (series.get("scaler_skipped") or 0) / series["scaler_steps"]
    sampled = [s["grads"] for s in steps if s.get("grads") and s["grads"][2]]
    if sampled:
        obs["step_setup.grad_zero_fraction"] = statistics.median(z / n for z, _, n in sampled)
        obs["step_setup.grad_nonfinite_fraction"] = sum(1 for _, b, _ in sampled if b) / len(sampled)
    # --- accumulation --------------------------------------------------------------------------
    if micro is not None:
        obs["step_setup.micro_steps"] = micro
        scales = []
        for s in taken:
            for value, scale, reference, factor in s.get("backwards") or []:
                value, scale = _float(value), _float(scale)
                if value is None or not scale or not math.isfinite(value):
                    continue
                if reference is not None:
                    reference = _float(reference)
                    if reference and math.isfinite(reference) and abs(reference) > 1e-12:
                        scales.append(value / scale / reference)
                elif factor is not None:
                    scales.append(float(factor))
        if scales:
            obs["step_setup.loss_scale_times_micro"] = statistics.median(scales) * micro
        multi = [s for s in taken if len(s.get("backwards") or []) >= 2]
        if multi:
            obs["step_setup.zeroed_inside_fraction"] = sum(1 for s in multi if s.get("zeroed_inside")) / len(multi)
    # --- clipping ------------------------------------------------------------------------------
    clips = [c for s in taken for c in s.get("clips") or []]
    obs["step_setup.clip_calls_per_step"] = len(clips) / len(taken) if taken else 0.0
    ratios = []
    for kind, a, b in clips:
        a, b = _float(a), _float(b)
        if a is None or b is None or not math.isfinite(a) or a <= 0:
            continue
        ratios.append(min(1.0, b / (a + 1e-6)) if kind == "norm" else min(1.0, b / a))
    clipping = [s for s in taken if s.get("clips")]
    if clipping:
        obs["step_setup.clip_before_unscale_fraction"] = sum(1 for s in clipping if s.get("clip_scaled")) / len(clipping)
    if ratios:
        obs["step_setup.clipped_fraction"] = sum(1 for r in ratios if r < 0.999) / len(ratios)
        obs["step_setup.clip_ratio_median"] = statistics.median(ratios)
    if series.get("optimizer"):
        obs["step_setup.adaptive_optimizer"] = series["optimizer"] in ADAPTIVE
    return obs


def schedule_observations(lrs: list[float], steps_per_epoch: int | None, collapse_ratio: float) -> dict[str, Any]:
    """From the rate at each optimizer step: where it first falls to
    `collapse_ratio` of the highest rate before it, how far it was followed,
    and whether it starts at its peak (no warmup)."""
    obs: dict[str, Any] = {"schedule.steps": len(lrs)}
    peak = 0.0
    collapse = None
    for i, lr in enumerate(lrs):
        if i and peak > 0 and lr <= collapse_ratio * peak * (1 + 1e-9):   # x0.1 twice is 1% up to rounding
            collapse = i
            break
        peak = max(peak, lr)
    top = max(lrs)
    obs["schedule.start_over_peak"] = lrs[0] / top if top > 0 else None
    if steps_per_epoch:
        obs["schedule.horizon_epochs"] = len(lrs) / steps_per_epoch
    if collapse is not None:
        obs["schedule.collapse_step"] = collapse
        # A cyclic schedule (warm restarts) climbs back; a collapse stays down.
        obs["schedule.recovers"] = any(lr > 0.1 * peak for lr in lrs[collapse:])
        if steps_per_epoch:
            obs["schedule.collapse_epochs"] = collapse / steps_per_epoch
    return {k: v for k, v in obs.items() if v is not None}


def underflow_fraction(model: nn.Module, loss_of: Callable[[nn.Module], torch.Tensor], device_type: str,
                       dtype: torch.dtype = torch.float16) -> float | None:
    """Share of the gradient values a float32 backward gives as non-zero that
    a backward under autocast(`dtype`) gives as exactly zero, on copies of
    `model` at the same weights and the same loss (`loss_of(copy)`). Zeros
    both give (dead units, unused embedding rows) do not count. None when
    there is nothing to compare."""
    import copy

    masks: list[list[torch.Tensor | None]] = []
    for cast in (True, False):
        clone = copy.deepcopy(model)
        for p in clone.parameters():
            p.grad = None
        with torch.autocast(device_type, dtype=dtype, enabled=cast):
            loss = loss_of(clone)
        if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
            return None
        loss.float().backward()
        masks.append([(p.grad.detach() != 0) if p.grad is not None else None
                      for p in clone.parameters() if p.requires_grad])
        del clone
    kept = lost = 0
    for low, full in zip(*masks):
        if low is None or full is None:
            continue
        kept += int(full.sum())
        lost += int((full & ~low).sum())
    return lost / kept if kept else None
