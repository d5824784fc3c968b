"""Watch a training loop from the inside: forward mode, backward, zero_grad, step.

The audit of the user's own `train_step` and the watch mode of an
unchanged script both attach a LoopMonitor to a model and its
optimizer(s). It wraps the optimizer's `step` and `zero_grad` (and the
model's `zero_grad`), hooks the parameters' gradients and the model's
forward, and counts, per iteration:

- gradients already present when a backward pass adds to them
  (zero_grad missing),
- a step taken with no backward pass since the last one (step before
  backward: stale gradients) or with empty gradients (zero_grad between
  backward and step),
- forward passes run in eval mode.

A forward pass counts as part of a training step only when a backward
pass reaches its output and an optimizer step follows: a validation loop
run in eval mode without torch.no_grad() is not training. An optimizer
called as `step(closure)` (LBFGS, PyTorch Lightning) runs the forward and
backward inside step(): the step is judged when its closure has run. Steps
whose parameters cannot receive gradients at all (every one frozen) are
not judged for order: that is params_not_updated, not a loop mistake.

It reads the loop's behaviour, never its source. To stay cheap it checks
a few sentinel parameters rather than all of them.

`loop_findings` turns the counts into the `train_step.*` observations the
knowledge base reads, with the same thresholds for both users.
"""
from __future__ import annotations

import functools
import types
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import torch
from torch import nn

def mode_dependent(model: nn.Module) -> bool:
    """Dropout with p > 0, or a norm layer that tracks running statistics."""
    for m in model.modules():
        if isinstance(m, nn.modules.dropout._DropoutNd) and m.p > 0:
            return True
        if isinstance(m, nn.modules.batchnorm._NormBase) and m.track_running_stats:
            return True
    return False


@dataclass
class LoopCounts:
    iterations: int = 0
    forwards: int = 0
    eval_forwards: int = 0
    steps: int = 0
    accumulated: int = 0        # iterations whose backward found leftover gradients
    stale_steps: int = 0        # steps with no backward since the previous step, gradients non-zero
    empty_steps: int = 0        # steps with no gradient at all to apply
    eval_since: int | None = None  # iteration from which every counted forward ran in eval mode
    events: list[list[str]] = field(default_factory=list)   # per iteration, for the report


def _closure_of(args: tuple, kwargs: dict) -> tuple[Any] | None:
    """The closure handed to `step(closure)`, positional or keyword; None without one."""
    if callable(kwargs.get("closure")):
        return (kwargs["closure"],)
    if args and callable(args[0]):
        return (args[0],)
    return None


def grad_outputs(output: Any, limit: int = 4) -> list[torch.Tensor]:
    """Tensors in a model's output that a backward pass can reach: a tensor,
    a tuple or list, a dict (Hugging Face outputs are dicts) or an object with
    `.logits`/`.loss`; at most `limit`, depth-first."""
    found: list[torch.Tensor] = []

    def visit(obj: Any, depth: int) -> None:
        if len(found) >= limit or depth > 3:
            return
        if isinstance(obj, torch.Tensor):
            if obj.requires_grad:
                found.append(obj)
        elif isinstance(obj, dict):
            for v in obj.values():
                visit(v, depth + 1)
        elif isinstance(obj, (list, tuple)):
            for v in obj:
                visit(v, depth + 1)
        else:
            for name in ("loss", "logits"):
                v = getattr(obj, name, None)
                if isinstance(v, torch.Tensor):
                    visit(v, depth + 1)

    visit(output, 0)
    return found


def _has_grad(p: torch.Tensor) -> bool:
    g = p.grad
    return g is not None and bool(g.detach().ne(0).any())


def loop_findings(counts: LoopCounts, calls: int) -> dict[str, Any]:
    """The `train_step.*` verdicts from the counts over `calls` iterations
    (calls of the user's step, or optimizer steps of a watched script).

    A pattern counts when it shows in at least half of the iterations that
    could show it: once may be a warm-up or an accumulation boundary.
    """
    obs: dict[str, Any] = {"calls": calls}
    if calls <= 0:
        return obs
    obs["grads_accumulate"] = counts.accumulated >= max(1, (calls - 1) // 2)
    obs["stale_grad_at_step"] = counts.stale_steps >= max(1, counts.steps // 2)
    obs["empty_grad_at_step"] = counts.empty_steps >= max(1, counts.steps // 2)
    obs["step_calls_per_call"] = counts.steps / calls
    if counts.forwards:
        obs["eval_forward_fraction"] = counts.eval_forwards / counts.forwards
    return obs


class LoopMonitor:
    def __init__(self, model: nn.Module, optimizers: Iterable[torch.optim.Optimizer] = (), sentinels: int = 2,
                 keep_events: int = 20, sentinel_params: Sequence[torch.Tensor] | None = None,
                 training_forwards_only: bool = False):
        """`sentinel_params` replaces the default sentinels (the first and last
        trainable parameters); small ones (biases) keep the checks cheap.
        `training_forwards_only` ignores forward passes run without gradients
        (a validation loop under torch.no_grad() is not part of a step)."""
        self.model = model
        self.optimizers: list[torch.optim.Optimizer] = []
        self.counts = LoopCounts()
        self.keep_events = keep_events
        self.training_forwards_only = training_forwards_only
        if sentinel_params is not None:
            self.sentinels = list(sentinel_params)
        else:
            params = [p for p in model.parameters() if p.requires_grad]
            picks = {0, len(params) - 1} if params else set()
            self.sentinels = [params[i] for i in sorted(picks)][:max(1, sentinels)]
        self._handles: list[Any] = []
        self._restores: list[tuple[Any, str, Any]] = []
        self._backward_seen = False
        self._checked_leftover = False
        # A step has applied the gradients since they were last cleared: what a
        # backward then finds is left over from an applied step (zero_grad
        # missing), not gradients still being accumulated for the next step.
        self._stepped_since_clear = False
        self._events: list[str] = []
        self._in_backward = False
        self._pending_forwards: list[bool] = []   # train mode of each forward a backward reached, until a step
        for opt in optimizers:
            self.add_optimizer(opt)

    # --- attaching -------------------------------------------------------------------
    def attach(self) -> "LoopMonitor":
        self._handles.append(self.model.register_forward_hook(self._on_forward))
        for p in self.sentinels:
            self._handles.append(p.register_hook(self._grad_hook(p)))
        self._wrap(self.model, "zero_grad", self._on_zero_grad)
        return self

    def add_optimizer(self, opt: torch.optim.Optimizer) -> None:
        if any(o is opt for o in self.optimizers):
            return
        self.optimizers.append(opt)
        if self._handles or self._restores:  # attached already: wrap now
            self._wrap_optimizer(opt)

    def _wrap_optimizer(self, opt: torch.optim.Optimizer) -> None:
        self._wrap(opt, "step", self._on_step, closure_aware=True)
        self._wrap(opt, "zero_grad", self._on_zero_grad)

    def _wrap(self, obj: Any, name: str, before, closure_aware: bool = False) -> None:
        original = getattr(obj, name)
        had_own = name in vars(obj)

        @functools.wraps(original)
        def wrapped(_self, *args, **kwargs):
            found = _closure_of(args, kwargs) if closure_aware else None
            if found is None:
                before(obj)
                return original(*args, **kwargs)
            # step(closure): the forward and backward run inside step(), so the
            # step is judged once its closure has run for the first time.
            closure = found[0]
            ran = [False]

            def watched_closure(*c_args, **c_kwargs):
                result = closure(*c_args, **c_kwargs)
                if not ran[0]:
                    ran[0] = True
                    before(obj)
                return result

            if kwargs.get("closure") is closure:
                kwargs = {**kwargs, "closure": watched_closure}
            else:
                args = (watched_closure,) + tuple(args[1:])
            out = original(*args, **kwargs)
            if not ran[0]:      # an optimizer that ignored its closure: a step, order unknown
                before(obj, judge=False)
            return out

        # A bound method, like the one it replaces: an LR scheduler created
        # later re-wraps `optimizer.step` through its `__func__`.
        setattr(obj, name, types.MethodType(wrapped, obj))
        self._restores.append((obj, name, original if had_own else None))

    def __enter__(self) -> "LoopMonitor":
        self.attach()
        for opt in self.optimizers:
            self._wrap_optimizer(opt)
        return self

    def __exit__(self, *exc) -> None:
        self.detach()

    def detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()
        for obj, name, original in reversed(self._restores):
            if original is None:
                try:
                    delattr(obj, name)
                except AttributeError:
                    pass
            else:
                setattr(obj, name, original)
        self._restores.clear()

    # --- iterations ---------------------------------------------------------------------
    def begin_iteration(self) -> None:
        if self.counts.iterations and self._events and len(self.counts.events) < self.keep_events:
            self.counts.events.append(self._events)
        self.counts.iterations += 1
        self._backward_seen = False
        self._checked_leftover = False
        self._events = []

    def end(self) -> LoopCounts:
        if self._events and len(self.counts.events) < self.keep_events:
            self.counts.events.append(self._events)
            self._events = []
        return self.counts

    def record_forward(self, module: nn.Module, output: Any = None) -> None:
        """Count a forward pass the hook could not see: one already under way
        when the monitor was attached (the watch attaches during the first)."""
        self._on_forward(module, (), output)

    def record_step(self, opt: torch.optim.Optimizer) -> None:
        """Count a step the wrapper could not see: one whose call began before
        the monitor was attached (the model's first forward inside
        step(closure)). Its order is not judged: its start went unseen."""
        self._on_step(opt, judge=False)

    # --- hooks ---------------------------------------------------------------------------
    def _on_forward(self, module, inputs, output) -> None:
        if self.training_forwards_only and not torch.is_grad_enabled():
            return
        training = bool(module.training)
        self._events.append("forward" if training else "forward(eval)")
        self._in_backward = False
        # The forward joins a training step when a backward pass reaches its
        # output (a hook on the output fires) and a step follows (_on_step
        # counts it). An output no backward can reach is never counted.
        reached = [False]

        def on_grad(grad):
            if not reached[0]:
                reached[0] = True
                self._pending_forwards.append(training)
            return None

        for tensor in grad_outputs(output):
            tensor.register_hook(on_grad)

    def _count_forwards(self) -> None:
        for training in self._pending_forwards:
            self.counts.forwards += 1
            if not training:
                self.counts.eval_forwards += 1
                if self.counts.eval_since is None:
                    self.counts.eval_since = self.counts.iterations
            else:
                self.counts.eval_since = None
        self._pending_forwards.clear()

    def _grad_hook(self, p: torch.Tensor):
        def hook(grad):
            if not self._in_backward:
                self._in_backward = True
                self._events.append("backward")
            if not self._checked_leftover and self.counts.iterations > 1:
                # Before this backward adds to p.grad: anything there is left over.
                self._checked_leftover = True
                if _has_grad(p) and self._stepped_since_clear:
                    self.counts.accumulated += 1
            self._backward_seen = True
            return None
        return hook

    def _on_zero_grad(self, _obj) -> None:
        self._events.append("zero_grad")
        self._in_backward = False
        # Cleared gradients cannot be left over for this iteration's backward.
        self._checked_leftover = True
        self._stepped_since_clear = False

    def _on_step(self, opt, judge: bool = True) -> None:
        self.counts.steps += 1
        self._stepped_since_clear = True
        self._events.append("step")
        self._in_backward = False
        self._count_forwards()
        held = {id(p) for g in opt.param_groups for p in g["params"]}
        watched = [p for p in self.sentinels if id(p) in held] or \
            [p for g in opt.param_groups for p in g["params"]][:2]
        # Parameters that cannot receive a gradient (frozen) say nothing about
        # the order of backward and step: that is params_not_updated's case.
        if judge and any(p.requires_grad for p in watched):
            if not any(_has_grad(p) for p in watched):
                self.counts.empty_steps += 1
            elif not self._backward_seen:
                self.counts.stale_steps += 1
        self._backward_seen = False
