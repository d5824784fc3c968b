"""The instrumentation inside the watch's child process.

Installed the moment the script imports torch; removed before the record
is finalised and before --then-probe runs its probes. Each hook, and what
it costs per optimizer step:

- `Optimizer.__init__` (class wrapper): every optimizer the script creates.
- global optimizer step pre/post hooks: count steps, mark the iteration
  boundaries for the LoopMonitor, stop the script after N steps; every K-th
  step, per-layer gradient norms and update sizes (the one costly part).
- `torch.autograd.backward` (`Tensor.backward` goes through it): the loss
  of each backward, kept detached and read as numbers only when the record
  is written, so that recording never waits for a GPU.
- global module forward hooks, for the first DISCOVERY_STEPS steps only:
  which module is the model and which are losses, the order its layers run
  in, and modules that run in it but are not registered in it.
- a LoopMonitor on the model (zero_grad/backward/step order, forward mode),
  with two small sentinel parameters (biases) so its checks stay cheap.
- a forward hook on each loss module: the training targets of the first
  ORDER_STEPS steps (class counts, order), and validation losses (those
  computed under torch.no_grad()).
- `DataLoader.__iter__` and the iterator's `__next__`: which loader feeds
  the training steps, its sampler, and whether epochs repeat their order.

Every hook is guarded: a failure of the instrumentation is noted in the
record and the script carries on. Only StopWatching gets through.
"""
from __future__ import annotations

import functools
import logging
import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import nn
from torch.nn.modules.loss import _Loss
from torch.utils.data import DataLoader
from torch.utils.data.dataloader import _BaseDataLoaderIter
from torch.utils.data.distributed import DistributedSampler

from loss_advisor.probing.harness import batch_len, first_tensor
from loss_advisor.probing.loopwatch import LoopMonitor, mode_dependent
from loss_advisor.probing.setupwatch import SetupMonitor, eps_lost, param_precision, underflow_fraction
from loss_advisor.probes.gradients import WEIGHT_LAYERS, weights_of

from loss_advisor.watch.protocol import SPAWNED, STEPS, StopWatching

log = logging.getLogger(__name__)

# Global module hooks slow every module call down; two steps are enough to
# see the model, its losses and the order its layers run in.
DISCOVERY_STEPS = 2
# Iterations whose model inputs feed the input statistics (the data probe
# reads at most 32 batches; the first few describe the scale well enough).
DATA_STEPS = 8
# Iterations whose targets feed the class counts and the order score.
ORDER_STEPS = 200
# The record is rewritten after the first step, then every FLUSH_STEPS
# steps or FLUSH_SECONDS, whichever comes first.
FLUSH_STEPS = 25
FLUSH_SECONDS = 2.0
# Values of each weight whose change sizes the update (see _update_sample).
UPDATE_SAMPLE = 4096
# A copy of the initial weights (for "never changed" and for --then-probe)
# is kept on the CPU up to this size.
COPY_LIMIT_BYTES = 2 << 30


def _guarded(method: Callable) -> Callable:
    """Instrumentation must never break the script: a failure inside a hook
    is noted in the record and the script goes on (StopWatching passes)."""
    @functools.wraps(method)
    def wrapper(self: "ScriptRecorder", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            self.note_internal(method.__name__, exc)
            return None
    return wrapper


def numbers(tensors: list[torch.Tensor]) -> list[float]:
    """Scalar tensors as floats with one device sync (one per tensor if they differ in device)."""
    if not tensors:
        return []
    try:
        return torch.stack([t.detach().float().reshape(()) for t in tensors]).tolist()
    except RuntimeError:
        return [float(t.detach().float().reshape(())) for t in tensors]


def cheap_sentinels(model: nn.Module) -> list[torch.Tensor]:
    """The LoopMonitor's sentinels: the first and the last trainable
    parameter, each replaced by the smallest trainable parameter of its own
    module (the bias next to a weight), which gets a gradient exactly when
    the weight does and costs almost nothing to check every step."""
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    if not named:
        return []

    def owner(name: str) -> str:
        return name.rsplit(".", 1)[0] if "." in name else ""

    picks: list[torch.Tensor] = []
    for name, _ in (named[0], named[-1]):
        siblings = [p for n, p in named if owner(n) == owner(name)]
        smallest = min(siblings, key=lambda p: p.numel())
        if all(smallest is not q for q in picks):
            picks.append(smallest)
    return picks


def _update_sample(weight: torch.Tensor) -> torch.Tensor | None:
    """A fixed strided view of at most UPDATE_SAMPLE values of a weight: the
    update's size relative to the weight's, measured on the same values,
    without copying a large model every K-th step. None when no view exists
    (a non-contiguous weight: a copy would not see the update)."""
    if not weight.is_contiguous():
        return None
    flat = weight.detach().view(-1)
    return flat[::max(1, flat.numel() // UPDATE_SAMPLE)]


@dataclass
class LoaderSeen:
    loader: Any
    epochs: int = 0
    steps: int = 0                      # optimizer steps that followed one of its batches
    first_batches: list[Any] = field(default_factory=list)   # first tensor of the first batch, per epoch (two)
    awaiting_first: bool = False
    sampler_epochs: list[int] = field(default_factory=list)  # a DistributedSampler's epoch at each epoch's start


class ScriptRecorder:
    """Everything the watch measures in the script, and the hooks that measure it."""

    def __init__(self, steps_limit: int, every: int, flush: Callable[[], None]):
        self.steps_limit = steps_limit
        self.every = max(1, every)
        self.flush_callback = flush
        self.started = time.perf_counter()
        self.steps = 0
        self.backward_calls = 0
        self.model_forwards = 0      # top-level module calls seen while discovering (any grad mode)
        self.training_started = False
        self.model: nn.Module | None = None
        self.monitor: LoopMonitor | None = None
        self.optimizers: list[torch.optim.Optimizer] = []
        self.loss_modules: list[nn.Module] = []
        self.training_loss_module: nn.Module | None = None
        self.layers: list[nn.Module] = []          # weight layers, in the order the first forward ran them
        self.unregistered: dict[int, int] = {}     # id -> size of trainable parameters outside the model
        self.loaders: dict[int, LoaderSeen] = {}
        self.iter_inputs: dict[int, Any] = {}      # step index -> the model's inputs in that iteration
        self.iter_targets: dict[int, torch.Tensor] = {}
        self.loss_steps: list[int] = []
        self.loss_values: list[float] = []
        self.val_points: list[tuple[int, float]] = []
        self.grad_samples: list[dict[str, Any]] = []
        self.initial_state: dict[str, torch.Tensor] | None = None
        self.step_times: list[float] = []
        self.internal_errors: list[str] = []
        self.param_sums: list[list[float]] = []    # [step, sum of parameters] under torch.distributed
        self._model_param_ids: set[int] = set()
        self._holds_model: dict[int, bool] = {}
        self._ever_grad: set[int] = set()
        self._pending_losses: list[torch.Tensor] = []
        self._val_pending: list[torch.Tensor] = []
        self._val_step = 0
        self._update: tuple[list[tuple[int, torch.Tensor]], list[torch.Tensor], dict[str, Any]] | None = None
        self._names: dict[int, str] | None = None
        self._monitor_from = 0       # optimizer steps finished before the LoopMonitor was attached
        self._sampled_at = -1
        self._last_step_at: float | None = None
        self._last_loader: Any = None
        self._last_batch: Any = None
        self._iter_inputs_taken = False
        self._iter_targets_taken = False
        self._depth = 0
        self._first_forward: nn.Module | None = None    # the model, during its first forward
        self._copy_skipped = False
        self._discovery: list[Any] = []
        self._handles: list[Any] = []
        self._patches: list[tuple[Any, str, Any]] = []
        self._input_hook: Any = None
        self._layer_hook: Any = None
        self.layer_inputs: dict[int, torch.Tensor] = {}   # step index -> the first weight layer's input
        self._iter_layer_taken = False
        self._last_flush = time.perf_counter()
        self._steps_at_flush = 0
        # Per step: learning rates, autocast, GradScaler, backward passes and their
        # loss scaling, clipping (loss_advisor/probing/setupwatch.py).
        self.setup = SetupMonitor(every=self.every, limit=max(steps_limit, 1))

    # --- installing ---------------------------------------------------------------------
    def install(self) -> None:
        """All or nothing: a failure part-way removes what was installed."""
        try:
            self._install()
        except BaseException:
            self.uninstall()
            raise

    def _install(self) -> None:
        from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
        from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

        self._discovery += [register_module_forward_pre_hook(self._module_pre),
                            register_module_forward_hook(self._module_post, always_call=True)]
        self._handles += [register_optimizer_step_pre_hook(self._before_step),
                          register_optimizer_step_post_hook(self._after_step)]
        recorder = self

        original_init = torch.optim.Optimizer.__init__

        @functools.wraps(original_init)
        def optimizer_init(opt, *args, **kwargs):
            original_init(opt, *args, **kwargs)
            recorder._on_optimizer(opt)

        original_backward = torch.autograd.backward

        @functools.wraps(original_backward)
        def backward(tensors, *args, **kwargs):
            recorder._on_backward(tensors)
            recorder.setup.before_backward(tensors)
            result = original_backward(tensors, *args, **kwargs)
            recorder.setup.after_backward()
            return result

        original_iter = DataLoader.__iter__

        @functools.wraps(original_iter)
        def loader_iter(loader):
            it = original_iter(loader)
            recorder._on_epoch(loader, it)
            return it

        original_next = _BaseDataLoaderIter.__next__

        @functools.wraps(original_next)
        def loader_next(it):
            batch = original_next(it)
            recorder._on_batch(it, batch)
            return batch

        def spawning(*args, **kwargs):
            # The workers would train in fresh interpreters the watch is not in:
            # stop here, promptly, with a finding that says how to launch instead.
            raise StopWatching(SPAWNED)

        import torch.multiprocessing as torch_mp
        for name in ("spawn", "start_processes"):
            if hasattr(torch_mp, name):
                self._patches.append((torch_mp, name, getattr(torch_mp, name)))
                setattr(torch_mp, name, spawning)

        for owner, name, replacement in ((torch.optim.Optimizer, "__init__", optimizer_init),
                                         (torch.autograd, "backward", backward),
                                         (DataLoader, "__iter__", loader_iter),
                                         (_BaseDataLoaderIter, "__next__", loader_next)):
            self._patches.append((owner, name, getattr(owner, name)))
            setattr(owner, name, replacement)
        self.setup.install()

    def uninstall(self) -> None:
        """Remove every hook and wrapper (idempotent)."""
        self.setup.uninstall()
        for handle in self._discovery + self._handles:
            handle.remove()
        self._discovery.clear()
        self._handles.clear()
        if self._input_hook is not None:
            self._input_hook.remove()
            self._input_hook = None
        if self._layer_hook is not None:
            self._layer_hook.remove()
            self._layer_hook = None
        if self.monitor is not None:
            self.monitor.end()
            self.monitor.detach()
        for owner, name, original in reversed(self._patches):
            setattr(owner, name, original)
        self._patches.clear()

    def note_internal(self, where: str, exc: BaseException) -> None:
        if len(self.internal_errors) < 10:
            self.internal_errors.append(f"{where}: {type(exc).__name__}: {exc}")
        log.debug("watch hook %s failed", where, exc_info=True)

    # --- discovery: the model, its losses, its layers --------------------------------------
    @_guarded
    def _module_pre(self, module: nn.Module, args: tuple) -> None:
        depth = self._depth
        self._depth += 1
        if depth:
            return
        if isinstance(module, _Loss):
            if all(m is not module for m in self.loss_modules):
                # Forward hooks are read after forward: this very call reaches it.
                self._adopt_loss(module)
            return
        self.model_forwards += 1
        if (self.model is None and self._first_forward is None and torch.is_grad_enabled()
                and next(module.parameters(), None) is not None):
            # The model, in its first forward. Adopted when that forward is
            # over: lazy layers have no shape before it.
            self._first_forward = module
            self._model_param_ids = {id(p) for p in module.parameters()}

    @_guarded
    def _module_post(self, module: nn.Module, args: tuple, output: Any) -> None:
        self._depth = max(0, self._depth - 1)
        if self._depth:
            if self._first_forward is not None:   # after its forward: a lazy layer has its shape by now
                self._note_inner(module, args)
            return
        if module is self._first_forward:
            self._first_forward = None
            self._adopt_model(module, args, output)

    def _note_inner(self, module: nn.Module, args: tuple = ()) -> None:
        if isinstance(module, WEIGHT_LAYERS) and weights_of(module) and all(m is not module for m in self.layers):
            if not self.layers:
                self._capture_layer_input(args)
            self.layers.append(module)
        for p in module.parameters(recurse=False):
            if p.requires_grad and id(p) not in self._model_param_ids:
                self.unregistered[id(p)] = p.numel()

    def _adopt_model(self, module: nn.Module, args: tuple, output: Any = None) -> None:
        self.model = module
        self.training_started = True
        self.monitor = LoopMonitor(module, sentinel_params=cheap_sentinels(module), training_forwards_only=True)
        self.monitor.attach()
        for opt in self.optimizers:
            self.monitor.add_optimizer(opt)
        self.monitor.begin_iteration()
        self.monitor.record_forward(module, output)
        self._monitor_from = self.steps
        self._capture_inputs(args)
        self._input_hook = module.register_forward_pre_hook(self._on_model_forward)
        self._handles.append(module.register_forward_pre_hook(lambda m, a: self.setup.on_forward()))
        if self.layers:
            self._layer_hook = self.layers[0].register_forward_pre_hook(self._on_first_layer)
        self._snapshot_initial(module)

    def _snapshot_initial(self, module: nn.Module) -> None:
        state = module.state_dict()
        size = sum(t.numel() * t.element_size() for t in state.values() if isinstance(t, torch.Tensor))
        if size <= COPY_LIMIT_BYTES:
            self.initial_state = {k: v.detach().to("cpu", copy=True) for k, v in state.items()
                                  if isinstance(v, torch.Tensor)}
        else:
            self._copy_skipped = True

    def _adopt_loss(self, module: nn.Module) -> None:
        self.loss_modules.append(module)
        self._handles.append(module.register_forward_hook(self._on_loss))

    # --- per-iteration hooks -----------------------------------------------------------------
    @_guarded
    def _on_model_forward(self, module: nn.Module, args: tuple) -> None:
        if torch.is_grad_enabled() and not self._iter_inputs_taken:
            self._capture_inputs(args)
        if len(self.iter_inputs) >= DATA_STEPS and self._input_hook is not None:
            self._input_hook.remove()
            self._input_hook = None

    @_guarded
    def _on_first_layer(self, module: nn.Module, args: tuple) -> None:
        if torch.is_grad_enabled() and not self._iter_layer_taken:
            self._capture_layer_input(args)
        if len(self.layer_inputs) >= DATA_STEPS and self._layer_hook is not None:
            self._layer_hook.remove()
            self._layer_hook = None

    def _capture_layer_input(self, args: tuple) -> None:
        """The first weight layer's input beside the model's: the data statistics
        judge the input scale as that layer sees it (a model may standardise
        its inputs itself; DataProbe.seen_inputs)."""
        if (args and isinstance(args[0], torch.Tensor) and args[0].is_floating_point()
                and len(self.layer_inputs) < DATA_STEPS and torch.is_grad_enabled()):
            self.layer_inputs[self.steps] = args[0].detach()
            self._iter_layer_taken = True

    def _capture_inputs(self, args: tuple) -> None:
        if not args or len(self.iter_inputs) >= DATA_STEPS:
            return
        value = args[0] if len(args) == 1 else tuple(args)
        if first_tensor(value) is not None:
            self.iter_inputs[self.steps] = value
            self._iter_inputs_taken = True

    @_guarded
    def _on_loss(self, module: nn.Module, args: tuple, output: Any) -> None:
        if not isinstance(output, torch.Tensor) or output.numel() != 1:
            return
        if torch.is_grad_enabled():
            self.training_loss_module = module
            self.setup.on_loss(output)
            if (not self._iter_targets_taken and len(self.iter_targets) < ORDER_STEPS and len(args) >= 2
                    and isinstance(args[1], torch.Tensor)):
                self.iter_targets[self.steps] = args[1].detach()
                self._iter_targets_taken = True
        else:   # a loss computed without gradients: validation
            if not self._val_pending:
                self._val_step = self.steps
            self._val_pending.append(output.detach())

    def add_optimizer(self, opt: torch.optim.Optimizer) -> None:
        """An optimizer created before install(), handed over by whoever drives
        the recorder (the Lightning and Hugging Face callbacks start recording
        once their trainer has built its optimizers)."""
        self._on_optimizer(opt)

    @_guarded
    def _on_optimizer(self, opt: torch.optim.Optimizer) -> None:
        if all(o is not opt for o in self.optimizers):
            self.optimizers.append(opt)
            self.training_started = True
            if self.monitor is not None:
                self.monitor.add_optimizer(opt)

    @_guarded
    def _on_backward(self, tensors: Any) -> None:
        self.backward_calls += 1
        self.training_started = True
        loss = tensors if isinstance(tensors, torch.Tensor) else (
            tensors[0] if isinstance(tensors, (list, tuple)) and tensors and isinstance(tensors[0], torch.Tensor)
            else None)
        if loss is not None and loss.numel() == 1:
            self._pending_losses.append(loss.detach())
            self.loss_steps.append(self.steps)
        if not self.steps and time.perf_counter() - self._last_flush >= FLUSH_SECONDS:
            self._flush()     # a script that never steps still leaves its record

    @_guarded
    def _on_epoch(self, loader: DataLoader, it: Any) -> None:
        seen = self.loaders.get(id(loader))
        if seen is None:
            seen = self.loaders[id(loader)] = LoaderSeen(loader)
        seen.epochs += 1
        seen.awaiting_first = True
        sampler = getattr(loader, "sampler", None)
        if isinstance(sampler, DistributedSampler):
            seen.sampler_epochs.append(int(getattr(sampler, "epoch", 0)))
        it._loss_advisor_loader = loader

    @_guarded
    def _on_batch(self, it: Any, batch: Any) -> None:
        loader = getattr(it, "_loss_advisor_loader", None)
        self._last_loader, self._last_batch = loader, batch
        seen = self.loaders.get(id(loader)) if loader is not None else None
        if seen is not None and seen.awaiting_first:
            seen.awaiting_first = False
            if len(seen.first_batches) < 2:
                seen.first_batches.append(first_tensor(batch))

    # --- steps ------------------------------------------------------------------------------
    def _optimizes_model(self, opt: torch.optim.Optimizer) -> bool:
        known = self._holds_model.get(id(opt))
        if known is None:
            known = any(id(p) in self._model_param_ids for g in opt.param_groups for p in g["params"])
            self._holds_model[id(opt)] = known
        return known

    @_guarded
    def _before_step(self, opt: torch.optim.Optimizer, args: Any, kwargs: Any) -> Any:
        if self.model is not None and self._optimizes_model(opt):
            self.setup.before_step(opt)
        if (self.model is not None and self.steps % self.every == 0 and self._sampled_at != self.steps
                and self._optimizes_model(opt)):
            self._sampled_at = self.steps
            # step(closure) (LBFGS, Lightning): this step's gradients exist only
            # once the closure has run inside step(); sample them then.
            closure = kwargs.get("closure") if callable(kwargs.get("closure")) else (
                args[1] if len(args) > 1 and callable(args[1]) else None)
            if closure is None:
                self._sample_gradients()
                return None
            recorder, done = self, [False]

            def sampled_closure(*c_args: Any, **c_kwargs: Any) -> Any:
                result = closure(*c_args, **c_kwargs)
                if not done[0]:
                    done[0] = True
                    try:
                        recorder._sample_gradients()
                    except Exception as exc:
                        recorder.note_internal("_sample_gradients", exc)
                return result

            if kwargs.get("closure") is closure:
                return args, {**kwargs, "closure": sampled_closure}
            return (args[0], sampled_closure, *args[2:]), kwargs
        return None

    def _flow_layers(self) -> list[nn.Module]:
        """Weight layers with trainable weights, in execution order (registration order if unseen)."""
        order = self.layers or [m for m in self.model.modules() if isinstance(m, WEIGHT_LAYERS) and weights_of(m)]
        return [m for m in order if any(w.requires_grad for w in weights_of(m))]

    def _sample_gradients(self) -> None:
        """Per-layer |grad|/|weight| of the gradients this step applies, and a
        copy of (a sample of) the weights so that the post-step hook can size
        the update."""
        layers = self._flow_layers()
        params = [p for p in self.model.parameters() if p.requires_grad]
        with torch.no_grad():
            grad_norms = [p.grad.detach().float().norm() for p in params if p.grad is not None]
            weights = [w for m in layers for w in weights_of(m)]
            values = numbers(grad_norms + [w.detach().float().norm() for w in weights])
        it = iter(values[:len(grad_norms)])
        by_param = {id(p): next(it) for p in params if p.grad is not None}
        for pid, norm in by_param.items():
            if norm != 0:
                self._ever_grad.add(pid)
        weight_norms = dict(zip((id(w) for w in weights), values[len(grad_norms):]))
        if self._names is None:
            self._names = {id(m): n for n, m in self.model.named_modules()}
        sample: dict[str, Any] = {"step": self.steps, "layers": [], "grad_norm": [], "weight_norm": [],
                                  "relative_grad": []}
        for m in layers:
            gn = math.sqrt(sum(by_param.get(id(w), 0.0) ** 2 for w in weights_of(m)))
            wn = math.sqrt(sum(weight_norms.get(id(w), 0.0) ** 2 for w in weights_of(m)))
            sample["layers"].append(self._names.get(id(m)) or type(m).__name__)
            sample["grad_norm"].append(gn)
            sample["weight_norm"].append(wn)
            sample["relative_grad"].append(gn / wn if wn > 0 else None)
        sample["grad_total"] = math.sqrt(sum(v * v for v in by_param.values()))
        sample["nonfinite"] = any(not math.isfinite(v) for v in by_param.values())
        sample["any_grad"] = any(v != 0 for v in by_param.values())
        self.grad_samples.append(sample)
        if sample["any_grad"] and not sample["nonfinite"]:
            picks = [(layer, view) for layer, m in enumerate(layers) for w in weights_of(m)
                     if (view := _update_sample(w)) is not None]
            self._update = (picks, [view.clone() for _, view in picks], sample)

    def _finish_update(self) -> None:
        """|update|/|weight| per layer, on the same strided sample of each weight before and after."""
        picks, before, sample = self._update
        self._update = None
        with torch.no_grad():
            values = numbers([(view - b).float().norm() for (_, view), b in zip(picks, before)]
                             + [view.float().norm() for _, view in picks])
        deltas, norms = values[:len(picks)], values[len(picks):]
        delta_sq, norm_sq = [0.0] * len(sample["layers"]), [0.0] * len(sample["layers"])
        for (layer, _), d, n in zip(picks, deltas, norms):
            delta_sq[layer] += d * d
            norm_sq[layer] += n * n
        sample["update_ratio"] = [math.sqrt(d) / math.sqrt(n) if n > 0 else None for d, n in zip(delta_sq, norm_sq)]

    @_guarded
    def _iteration_done(self) -> None:
        """Bookkeeping between one optimizer step and the next iteration."""
        now = time.perf_counter()
        if self._last_step_at is not None:
            self.step_times.append(now - self._last_step_at)
        self._last_step_at = now
        index = self.steps - 1
        if (self.training_loss_module is None and index not in self.iter_targets and len(self.iter_targets) < ORDER_STEPS
                and isinstance(self._last_batch, (list, tuple)) and len(self._last_batch) == 2
                and isinstance(self._last_batch[1], torch.Tensor)):
            # No loss module (a functional loss): the loader's batch says what the targets were.
            self.iter_targets[index] = self._last_batch[1].detach()
        self._iter_inputs_taken = self._iter_targets_taken = self._iter_layer_taken = False
        if self._last_loader is not None and id(self._last_loader) in self.loaders:
            self.loaders[id(self._last_loader)].steps += 1
        self._close_validation()
        if self.monitor is not None:
            self.monitor.begin_iteration()
        if self.steps == DISCOVERY_STEPS:
            self._end_discovery()
        if (self.steps == 1 or self.steps - self._steps_at_flush >= FLUSH_STEPS
                or now - self._last_flush >= FLUSH_SECONDS):
            self._flush()

    def _after_step(self, opt: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        if self._update is not None and self._update[2]["step"] == self.steps and self._optimizes_model(opt):
            try:
                self._finish_update()
            except Exception as exc:
                self.note_internal("_finish_update", exc)
        if self.model is not None and self._optimizes_model(opt):
            self.setup.after_step(opt)
        if self.monitor is not None and self.monitor.counts.steps < self.steps + 1 - self._monitor_from:
            # A step whose call began before the monitor was attached: the model's
            # first forward ran inside step(closure) (LBFGS, Lightning).
            self.monitor.record_step(opt)
        self.steps += 1
        self._iteration_done()
        self._checksum_replica()
        if self.steps >= self.steps_limit:
            raise StopWatching(STEPS)

    @_guarded
    def _checksum_replica(self) -> None:
        """Under torch.distributed, a sum of the model's parameters on the first
        step and every K-th: DDP replicas are bit-identical after every step, so
        the ranks' sums can only differ when gradients stopped being averaged."""
        if self.model is None or not (self.steps == 1 or self.steps % self.every == 0):
            return
        if not (torch.distributed.is_available() and torch.distributed.is_initialized()):
            return
        with torch.no_grad():
            total = sum(float(p.detach().double().sum()) for p in self.model.parameters()
                        if not p.is_meta)
        self.param_sums.append([self.steps, total])

    def _close_validation(self) -> None:
        if self._val_pending:
            values = [v for v in numbers(self._val_pending) if math.isfinite(v)]
            self._val_pending = []
            if values:
                self.val_points.append((self._val_step, statistics.fmean(values)))

    def _end_discovery(self) -> None:
        for handle in self._discovery:
            handle.remove()
        self._discovery.clear()
        self._first_forward = None
        self._depth = 0

    def _flush(self) -> None:
        self._last_flush = time.perf_counter()
        self._steps_at_flush = self.steps
        self.flush_callback()

    # --- the record ---------------------------------------------------------------------------
    def train_loader(self) -> Any:
        """The loader whose batches the optimizer steps followed most often."""
        seen = max(self.loaders.values(), key=lambda s: s.steps, default=None)
        return seen.loader if seen is not None and seen.steps else None

    def primary_optimizer(self) -> torch.optim.Optimizer | None:
        return next((o for o in self.optimizers if self._optimizes_model(o)), None) if self.model is not None else None

    def model_device(self) -> str | None:
        """Where the model's parameters are (before its first forward: the
        parameters an optimizer holds), for errors that name a device."""
        params = self.model.parameters() if self.model is not None else (
            p for opt in self.optimizers for g in opt.param_groups for p in g["params"])
        p = next(iter(params), None)
        return str(p.device) if p is not None else None

    def snapshot(self) -> dict[str, Any]:
        """The cheap part of the record: counts, losses, loop order (every flush)."""
        if self._pending_losses:
            self.loss_values += numbers(self._pending_losses)
            self._pending_losses = []
        counts = None
        if self.monitor is not None:   # events of finished iterations (uninstall() finishes the last)
            counts = {k: (list(v) if k == "events" else v) for k, v in vars(self.monitor.counts).items()}
        return {
            "training_started": self.training_started,
            "steps": self.steps,
            "backward_calls": self.backward_calls,
            "model_forwards": self.model_forwards,
            "losses": [[s, v] for s, v in zip(self.loss_steps, self.loss_values)],
            "val_losses": [[s, v] for s, v in self.val_points],
            "loop": counts,
            "seconds": round(time.perf_counter() - self.started, 3),
            "step_seconds": statistics.median(self.step_times) if self.step_times else None,
            "optimizers": len(self.optimizers),
            "loss_module": type(self.training_loss_module).__name__ if self.training_loss_module is not None else None,
            "model_device": self.model_device(),
            "internal_errors": list(self.internal_errors),
            "distributed": self._distributed(),
            "setup_series": self.setup.series(),
            "steps_per_epoch": self._steps_per_epoch(),
        }

    def _steps_per_epoch(self) -> int | None:
        loader = self.train_loader()
        try:
            n = len(loader) if loader is not None else None
        except Exception:
            return None
        return n if isinstance(n, int) and n > 0 else None

    def _distributed(self) -> dict[str, Any] | None:
        """Rank, world size, the replica checksums and the sampler's epochs, when
        the script runs under torch.distributed (None otherwise)."""
        if not (torch.distributed.is_available() and torch.distributed.is_initialized()):
            return None
        loader = self.train_loader()
        seen = self.loaders.get(id(loader)) if loader is not None else None
        return {"rank": torch.distributed.get_rank(), "world_size": torch.distributed.get_world_size(),
                "param_sums": [list(row) for row in self.param_sums],
                "sampler_epochs": list(seen.sampler_epochs) if seen is not None else []}

    def final(self) -> dict[str, Any]:
        """The whole record, with the statistics that need the live objects.
        Call after uninstall(): the data statistics build an optimizer of their own."""
        self._close_validation()
        record = self.snapshot()
        observations: dict[str, Any] = {}
        details: dict[str, Any] = {}
        notes: list[list[Any]] = []   # [message key, values]: worded in the parent's language
        if self.model is not None:
            observations.update(self._model_observations(details, notes))
        try:
            observations.update(self._data_observations(details, notes))
        except Exception as exc:   # odd batches: the data statistics are missing, the rest stands
            notes.append(["watch.note.data_failed", {"error": f"{type(exc).__name__}: {exc}"}])
        try:
            from loss_advisor.watch.regsettings import regularization_settings
            observations.update(regularization_settings(self.model, self.optimizers))
        except Exception as exc:   # settings we cannot read are missing, the rest stands
            self.note_internal("regularization_settings", exc)
        record.update(observations=observations, details=details, notes=notes, setup=self._setup())
        record["internal_errors"] = list(self.internal_errors)
        return record

    def _model_observations(self, details: dict[str, Any], notes: list[list[Any]]) -> dict[str, Any]:
        model = self.model
        obs: dict[str, Any] = {}
        params = list(model.parameters())
        trainable = [p for p in params if p.requires_grad]
        total = sum(p.numel() for p in params)
        n_train = sum(p.numel() for p in trainable)
        obs["init_loss.trainable_params"] = n_train
        obs["train_step.mode_dependent_layers"] = mode_dependent(model)
        grads: dict[str, Any] = {}
        grads["trainable_fraction"] = n_train / total if total else 0.0
        grads["trainable_weight_layers"] = sum(1 for m in model.modules() if isinstance(m, WEIGHT_LAYERS + (nn.Embedding,))
                                               and any(w.requires_grad for w in weights_of(m)))
        optimised = trainable
        if self.optimizers:
            held = {id(p) for opt in self.optimizers for g in opt.param_groups for p in g["params"]}
            optimised = [p for p in trainable if id(p) in held]
            grads["optimizer_coverage"] = sum(p.numel() for p in optimised) / n_train if n_train else 0.0
        stray = sum(self.unregistered.values())
        grads["unregistered_params"] = stray
        if n_train + stray:
            grads["unregistered_fraction"] = stray / (n_train + stray)
        samples = self.grad_samples
        if samples and optimised:
            silent = sum(p.numel() for p in optimised if id(p) not in self._ever_grad)
            grads["no_grad_fraction"] = silent / sum(p.numel() for p in optimised)
        first = next((s for s in samples if s["any_grad"]), None)
        if first is not None:
            rel = first["relative_grad"]
            grads["layers"] = len(rel)
            finite = [r for r in rel if r is not None and math.isfinite(r)]
            if len(rel) >= 2 and rel[0] is not None and rel[-1] and math.isfinite(rel[0]) and math.isfinite(rel[-1]):
                grads["first_last_ratio"] = rel[0] / rel[-1]
            if finite:
                grads["max_relative_grad"] = max(finite)
            updates = [u for u in first.get("update_ratio", []) if u is not None and math.isfinite(u)]
            if updates:
                grads["update_ratio_median"] = statistics.median(updates)
                grads["update_ratio_max"] = max(updates)
        moved = next((s["update_ratio"] for s in samples if len(s.get("update_ratio") or []) >= 2
                      and s["update_ratio"][0] is not None and s["update_ratio"][-1]
                      and math.isfinite(s["update_ratio"][0]) and math.isfinite(s["update_ratio"][-1])), None)
        if moved is not None:
            # What the first layer's gradient does to it, beside the last's: the
            # first step whose update moved the last layer (a warmup's first
            # steps move nothing). Adam's update does not shrink with the gradient.
            grads["first_last_update_ratio"] = moved[0] / moved[-1]
        if samples:
            finite_loss_steps = {s for s, v in zip(self.loss_steps, self.loss_values) if math.isfinite(v)}
            grads["grad_nonfinite"] = any(s["nonfinite"] and s["step"] in finite_loss_steps for s in samples)
        if self.steps and self.initial_state is not None and n_train:
            still = 0
            for name, p in model.named_parameters():
                before = self.initial_state.get(name)
                if p.requires_grad and before is not None and torch.equal(p.detach().to("cpu"), before):
                    still += p.numel()
            grads["unchanged_fraction"] = still / n_train
        elif self._copy_skipped:
            notes.append(["watch.note.model_too_large", {}])
        obs.update({f"gradients.{k}": v for k, v in grads.items()})
        dtype, half = param_precision(model)
        if dtype is not None:
            obs["step_setup.param_dtype"] = dtype
            obs["step_setup.half_param_fraction"] = half
            lost = eps_lost(self.setup.optimizer_eps, dtype)
            if lost is not None:
                obs["step_setup.eps_lost"] = lost
        underflow = self._underflow()
        if underflow is not None:
            obs["step_setup.underflow_fraction"] = underflow
        details["gradients"] = samples[-40:]
        if samples:
            details["grad_norm"] = {"steps": [s["step"] for s in samples], "total": [s["grad_total"] for s in samples]}
        return obs

    def _underflow(self) -> float | None:
        """Under float16 autocast without a GradScaler: how many gradient values
        float16 rounds to zero, on a batch the script trained on, against a
        float32 backward at the same weights (setupwatch.underflow_fraction)."""
        kinds = [s["autocast"] for s in self.setup.steps if s.get("autocast")]
        if (self.setup.scaler_used or not kinds or max(set(kinds), key=kinds.count) != "float16"
                or self.training_loss_module is None):
            return None
        index = next((i for i in sorted(self.iter_inputs) if i in self.iter_targets), None)
        if index is None:
            return None
        from loss_advisor.probing.harness import call_model

        inputs, targets, loss_module = self.iter_inputs[index], self.iter_targets[index], self.training_loss_module

        def loss_of(model: nn.Module) -> torch.Tensor:
            output = call_model(model, inputs)
            return loss_module(output if isinstance(output, torch.Tensor) else first_tensor(output), targets)

        device = next((p.device.type for p in self.model.parameters()), "cpu")
        try:
            return underflow_fraction(self.model, loss_of, device)
        except Exception as exc:   # the model cannot run again here: the observation is missing
            self.note_internal("_underflow", exc)
            return None

    def _context(self, pairs: list[tuple[Any, Any]]):
        """A probe context over batches the watch saw, for the data probe's own
        statistics. Its model and optimizer are stand-ins the probe never uses."""
        from loss_advisor.probing.harness import Harness
        from loss_advisor.probes import Budget, Context
        from loss_advisor.probing.target import Target

        device = first_tensor(pairs[0][0]).device
        target = Target(model=nn.Linear(1, 1), loss_fn=lambda outputs, targets: outputs,
                        optimizer=lambda params: torch.optim.SGD(params, lr=0.1), train_data=pairs, spec="watch")
        return Context(harness=Harness(target, device), budget=Budget(0, 5.0), observations={})

    def _data_observations(self, details: dict[str, Any], notes: list[list[Any]]) -> dict[str, Any]:
        from loss_advisor.probes.base import Output
        from loss_advisor.probes.data import DataProbe

        probe = DataProbe()
        probe.run_model = False     # the model's inputs as its first weight layer saw them, below
        obs: dict[str, Any] = {}
        indices = sorted(self.iter_inputs)
        targets = [self.iter_targets[i] for i in sorted(self.iter_targets)]
        if indices:
            paired = all(i in self.iter_targets for i in indices)
            pairs = [(self.iter_inputs[i], self.iter_targets[i] if paired else None) for i in indices]
            seen = [self.layer_inputs.get(i) for i in indices]
            if all(t is not None for t in seen):
                try:
                    probe.seen_inputs = torch.cat(seen)
                except RuntimeError:    # batches of different shapes
                    pass
            out = probe.run(self._context(pairs))
            obs.update(out.observations)
            details.update({k: v for k, v in out.details.items() if k in ("feature_rms", "target_dtype", "target_shape")})
            if len(targets) > len(pairs) and obs.get("target_kind"):
                # Class counts and the order score over every step watched, not the first few.
                for key in ("num_classes", "imbalance_ratio", "minority_fraction", "order_grouping"):
                    obs.pop(key, None)
                order = Output()
                probe.classes_and_order(self._context([(t, t) for t in targets]), obs["target_kind"], obs, order)
                details.update(order.details)
        # What the data probe read from our list of batches, the loader itself knows better.
        for key in ("sampler_shuffles", "train_examples", "params_per_example", "same_order_each_pass"):
            obs.pop(key, None)
        loader = self.train_loader()
        if loader is not None:
            shuffles = DataProbe.sampler_shuffles(loader)
            if shuffles is not None:
                obs["sampler_shuffles"] = shuffles
            try:
                size = len(loader.dataset)
            except Exception:
                size = None
            if size:
                obs["train_examples"] = size
                if self.model is not None:
                    obs["params_per_example"] = sum(p.numel() for p in self.model.parameters() if p.requires_grad) / size
            firsts = self.loaders[id(loader)].first_batches
            if len(firsts) >= 2 and all(isinstance(t, torch.Tensor) for t in firsts):
                a, b = firsts
                obs["same_order_each_pass"] = a.shape == b.shape and bool(torch.equal(a, b))
        elif not indices:
            notes.append(["watch.note.no_batches", {}])
        return {f"data.{k}": v for k, v in obs.items()}

    def _setup(self) -> dict[str, Any]:
        """What is known of the set-up, in the keys the probe mode's reports use."""
        info: dict[str, Any] = {"torch": torch.__version__}
        model = self.model
        if model is not None:
            params = list(model.parameters())
            total = sum(p.numel() for p in params)
            trainable = sum(p.numel() for p in params if p.requires_grad)
            layers: dict[str, int] = {}
            for m in model.modules():
                if not list(m.children()):
                    layers[type(m).__name__] = layers.get(type(m).__name__, 0) + 1
            info.update(device=self.model_device(), model=type(model).__name__, parameters=total,
                        trainable_parameters=trainable, frozen_parameters=total - trainable, layers=layers)
        if self.training_loss_module is not None:
            info["loss"] = type(self.training_loss_module).__name__
        opt = self.primary_optimizer() or (self.optimizers[0] if self.optimizers else None)
        if opt is not None:
            info["optimizer"] = type(opt).__name__
            info["optimizer_params"] = {k: v for k, v in opt.defaults.items()
                                        if isinstance(v, (int, float, str, bool, tuple)) and v is not None
                                        and k not in ("foreach", "capturable", "differentiable", "fused")}
        if self.iter_inputs:
            info["batch_size"] = batch_len(self.iter_inputs[min(self.iter_inputs)])
        loader = self.train_loader()
        if loader is not None:
            try:
                info["train_examples"] = len(loader.dataset)
            except Exception:
                pass
        return info

    # --- --then-probe ---------------------------------------------------------------------------
    def probe_target(self, spec: str):
        """The captured objects as a probe target (CONTRACT.md section 2), the
        model back at its first weights; or the key of the message that says why not."""
        from loss_advisor.probing.target import Target

        if self.model is None:
            return "watch.probe_reason.no_model"
        opt = self.primary_optimizer()
        if opt is None:
            return "watch.probe_reason.no_optimizer"
        if self.training_loss_module is None:
            return "watch.probe_reason.no_loss_module"
        data = self.train_loader()
        if data is None:
            pairs = [(self.iter_inputs[i], self.iter_targets[i]) for i in sorted(self.iter_inputs) if i in self.iter_targets]
            if not pairs:
                return "watch.probe_reason.no_batches"
            data = pairs
        if self.initial_state is not None:
            try:
                self.model.load_state_dict(self.initial_state, strict=False)
            except RuntimeError:   # the script reshaped a layer after its first forward
                pass
        opt_class, defaults = type(opt), dict(opt.defaults)
        return Target(model=self.model, loss_fn=self.training_loss_module,
                      optimizer=lambda params: opt_class(params, **defaults), train_data=data, spec=spec)
