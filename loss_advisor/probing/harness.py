"""The harness around the user's objects, shared by every probe.

It adapts the user's batches (``split_batch``, devices, calling the model
with a tensor, a tuple or a dict), keeps a small cache of batches, hands
out the model as it came in and fresh optimizers from the user's factory
(optionally with another learning rate), and runs the reference training
step.

The model a probe gets: with a snapshot (the runner's, which restores
everything in `finally`), the user's own model, put back in place to the
state it came in: re-initialising or perturbing a copy would cost a
second model on a device the model may fill (issue 15). Without one, or
when the model sits on another device than the probes run on, a copy, as
before: a harness built on its own never changes the user's model.
"""
from __future__ import annotations

import copy
import itertools
import logging
import math
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

import torch
from torch import nn

from loss_advisor.probing.safety import Snapshot
from loss_advisor.probing.target import Target, TargetError, describe_exception

log = logging.getLogger(__name__)

# Batches kept in memory for the cheap probes: enough for statistics over a
# few thousand examples, small enough to cost nothing on small data sets.
CACHE_BATCHES = 32
CACHE_EXAMPLES = 4096


def pick_device(name: str = "auto") -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise TargetError("--device cuda: no CUDA device is available")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise TargetError("--device mps: no MPS device is available")
    if name not in ("cpu", "cuda", "mps"):
        raise TargetError(f"unknown device {name!r}: choose auto, cpu, cuda or mps")
    return torch.device(name)


def to_device(obj: Any, device: torch.device) -> Any:
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(to_device(o, device) for o in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_device(o, device) for o in obj)
    if isinstance(obj, dict):
        return {k: to_device(v, device) for k, v in obj.items()}
    return obj


def first_tensor(obj: Any) -> torch.Tensor | None:
    if isinstance(obj, torch.Tensor):
        return obj
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple)):
        for o in obj:
            found = first_tensor(o)
            if found is not None:
                return found
    return None


def batch_len(obj: Any) -> int:
    tensor = first_tensor(obj)
    if tensor is None or tensor.dim() == 0:
        return 0
    return int(tensor.shape[0])


def take(obj: Any, index: Any) -> Any:
    """Index every tensor in a (nested) batch along the batch dimension."""
    if isinstance(obj, torch.Tensor):
        return obj[index] if obj.dim() > 0 else obj
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(take(o, index) for o in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(take(o, index) for o in obj)
    if isinstance(obj, dict):
        return {k: take(v, index) for k, v in obj.items()}
    return obj


def concat(parts: list[Any]) -> Any:
    first = parts[0]
    if isinstance(first, torch.Tensor):
        return torch.cat(parts) if first.dim() > 0 else first
    if isinstance(first, tuple) and hasattr(first, "_fields"):
        return type(first)(*(concat([p[i] for p in parts]) for i in range(len(first))))
    if isinstance(first, (list, tuple)):
        return type(first)(concat([p[i] for p in parts]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: concat([p[k] for p in parts]) for k in first}
    return first


def call_model(model: nn.Module, inputs: Any) -> Any:
    """CONTRACT.md section 2: a tuple is unpacked, a dict passed as keywords."""
    if isinstance(inputs, dict):
        return model(**inputs)
    if isinstance(inputs, (tuple, list)):
        return model(*inputs)
    return model(inputs)


def as_loss(value: Any) -> torch.Tensor:
    """Accept a scalar tensor, or an object with a `.loss` (Hugging Face style)."""
    if isinstance(value, torch.Tensor):
        return value
    loss = getattr(value, "loss", None)
    if isinstance(loss, torch.Tensor):
        return loss
    if isinstance(value, dict) and isinstance(value.get("loss"), torch.Tensor):
        return value["loss"]
    raise TypeError(f"loss_fn returned {type(value).__name__}, not a tensor")


def optimizer_lr(opt: torch.optim.Optimizer) -> float | None:
    lrs = [g.get("lr") for g in opt.param_groups]
    lrs = [float(lr) for lr in lrs if isinstance(lr, (int, float)) or isinstance(lr, torch.Tensor)]
    return max(lrs) if lrs else None


class HarnessClosed(RuntimeError):
    """A probe the runner abandoned tried to change the model after probing ended."""


@dataclass
class BuiltOptimizer:
    optimizer: torch.optim.Optimizer
    foreign: int          # parameters in the optimizer that were not handed to the factory
    covered: int          # handed-over trainable parameters the optimizer holds


class Harness:
    """The user's target prepared for probing on one device."""

    def __init__(self, target: Target, device: torch.device | str = "cpu", snapshot: "Snapshot | None" = None,
                 in_place: bool | None = None):
        """`snapshot`: the runner's Snapshot of target.model, restored by its
        owner when probing ends; probes then work on the model in place.
        `in_place=True` without a snapshot takes one (for a model built for
        the probes alone, such as the seeds probe's other seeds)."""
        self.target = target
        self.device = torch.device(device) if isinstance(device, str) else device
        self.model = target.model
        if in_place is None:
            in_place = snapshot is not None
        if in_place and not self._on_probe_device(self.model):
            in_place = False           # moving the user's model is not probing it where it is
        if in_place and snapshot is None:
            snapshot = Snapshot(self.model)
        self.snapshot = snapshot
        self.in_place = in_place
        # Set by the runner when probing ends: a probe it stopped waiting for
        # (timed out) may still be running in its thread, and in place it
        # must not step the user's model after the snapshot has put it back.
        self.closed = False
        self._handed: "weakref.WeakSet[torch.optim.Optimizer]" = weakref.WeakSet()
        self.batches: list[tuple[Any, Any]] = []
        self.val_batches: list[tuple[Any, Any]] = []
        self.steps = 0                 # forward+backward steps spent, for the cost report
        # Seconds per example of a reference training step, as last measured
        # (train_step times every step; None until one ran): what probes
        # size their work by (Context.plan).
        self.seconds_per_example: float | None = None
        # The same by batch size (examples -> seconds a step): a small
        # model's step is mostly fixed overhead, so its time per example at
        # one size says little about another.
        self.step_seconds: dict[int, float] = {}
        self._schedulers: "weakref.WeakKeyDictionary[torch.optim.Optimizer, Any]" = weakref.WeakKeyDictionary()
        self._check_and_cache()
        self.batch_size = batch_len(self.batches[0][0]) or batch_len(self.batches[0][1])
        self.user_lr = self._user_lr()

    # --- data ----------------------------------------------------------------
    def split(self, batch: Any) -> tuple[Any, Any]:
        if self.target.split_batch is not None:
            try:
                pair = self.target.split_batch(batch)
            except Exception as exc:
                raise TargetError(f"split_batch raised {describe_exception(exc)}") from None
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise TargetError(f"split_batch must return (inputs, targets), got {type(pair).__name__}")
            return pair[0], pair[1]
        if isinstance(batch, (tuple, list)) and len(batch) == 2:
            return batch[0], batch[1]
        if isinstance(batch, (tuple, list)):
            shape = f"a {type(batch).__name__} of {len(batch)} items"
        else:
            shape = f"a {type(batch).__name__}"
        raise TargetError(f"batches from train_data are {shape}, not (inputs, targets) pairs; "
                          "add split_batch(batch) -> (inputs, targets) to the target")

    def _prepare(self, batch: Any) -> tuple[Any, Any]:
        inputs, targets = self.split(batch)
        if first_tensor(inputs) is None:
            raise TargetError(f"batch inputs hold no tensor (got {type(inputs).__name__})")
        return to_device(inputs, self.device), to_device(targets, self.device)

    def _iterate(self, data: Any, name: str) -> Iterator[Any]:
        try:
            it = iter(data)
        except Exception as exc:
            raise TargetError(f"iterating {name} raised {describe_exception(exc)}") from None
        while True:
            try:
                yield next(it)
            except StopIteration:
                return
            except TargetError:
                raise
            except Exception as exc:
                raise TargetError(f"iterating {name} raised {describe_exception(exc)}") from None

    def _cache(self, data: Any, name: str) -> list[tuple[Any, Any]]:
        """The first batches of `data`, prepared, up to CACHE_BATCHES or CACHE_EXAMPLES."""
        cached, seen = [], 0
        for batch in self._iterate(data, name):
            inputs, targets = self._prepare(batch)
            cached.append((inputs, targets))
            seen += batch_len(inputs)
            if len(cached) >= CACHE_BATCHES or seen >= CACHE_EXAMPLES:
                break
        if not cached:
            raise TargetError(f"{name} yielded no batches")
        return cached

    def _check_and_cache(self) -> None:
        self.batches = self._cache(self.target.train_data, "train_data")
        if batch_len(self.batches[0][0]) == 0:
            raise TargetError("the first batch of train_data is empty or has no batch dimension")
        # Data that can be iterated only once would starve every later epoch.
        again = next(self._iterate(self.target.train_data, "train_data"), None)
        if again is None:
            raise TargetError("train_data yields batches only once (a generator?); a second pass was empty. "
                              "Pass a DataLoader or a list of batches")
        if self.target.val_data is not None:
            self.val_batches = self._cache(self.target.val_data, "val_data")

    def stream(self, limit_epochs: int | None = None) -> Iterator[tuple[Any, Any]]:
        """Training batches in the user's own order, epoch after epoch, as their loop sees them."""
        epochs = itertools.count() if limit_epochs is None else range(limit_epochs)
        for _ in epochs:
            empty = True
            for batch in self._iterate(self.target.train_data, "train_data"):
                empty = False
                yield self._prepare(batch)
            if empty:
                return

    def examples(self, limit: int = CACHE_EXAMPLES) -> tuple[Any, Any]:
        """The cached batches joined into one (inputs, targets), at most `limit` examples."""
        inputs = concat([b[0] for b in self.batches])
        targets = concat([b[1] for b in self.batches])
        n = min(limit, batch_len(inputs))
        return take(inputs, slice(0, n)), take(targets, slice(0, n))

    def sample(self, limit: int, seed: int = 0) -> tuple[Any, Any, list[int] | None]:
        """A random sample of up to `limit` examples with their dataset indices.

        Drawn straight from the loader's dataset when there is one, so it
        represents the whole data set even when the loader does not shuffle
        (the cached first batches of sorted data hold only the first
        classes). Falls back to the cached batches, with no indices."""
        loader = self.target.train_data
        dataset = getattr(loader, "dataset", None)
        collate = getattr(loader, "collate_fn", None)
        if dataset is not None and collate is not None and hasattr(dataset, "__len__"):
            try:
                gen = torch.Generator().manual_seed(seed)
                order = torch.randperm(len(dataset), generator=gen)[:limit].tolist()
                parts = [self._prepare(collate([dataset[i] for i in order[s:s + 256]]))
                         for s in range(0, len(order), 256)]
                if parts:
                    return concat([p[0] for p in parts]), concat([p[1] for p in parts]), order
            except Exception:
                log.debug("sampling from the dataset failed; using cached batches", exc_info=True)
        inputs, targets = self.examples(limit=limit)
        n = batch_len(inputs)
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        return take(inputs, perm), take(targets, perm), None

    def fixed_batch(self, size: int) -> tuple[Any, Any]:
        inputs, targets = self.examples(limit=size)
        return inputs, targets

    # --- model and optimizer ---------------------------------------------------
    def _on_probe_device(self, model: nn.Module) -> bool:
        tensors = [t for t in itertools.chain(model.parameters(), model.buffers()) if not t.is_meta]
        return all(t.device.type == self.device.type and (self.device.index is None or t.device == self.device)
                   for t in tensors)

    def fresh_model(self, keep_mode: bool = False) -> nn.Module:
        """The user's model as it came in, on the probe device, in train mode
        (or in the mode it came in, with `keep_mode`).

        In place (see the module's docstring) it is the user's model itself,
        restored from the snapshot: the model an earlier call returned is the
        same object and is reset too, so a probe holds one at a time."""
        if self.in_place:
            self.guard()
            self.snapshot.restore_model()
            if not keep_mode:
                self.model.train()
            return self.model
        try:
            model = copy.deepcopy(self.model)
        except Exception as exc:
            raise RuntimeError(f"cannot copy the model ({describe_exception(exc)})") from None
        self._to_probe_device(model)
        if not keep_mode:
            model.train()
        return model

    def own_model(self) -> nn.Module:
        """The target's model itself, on the probe device, in train mode: for a
        target built for the probes alone (the seeds probe calls the user's
        function again with another seed), which nobody else holds, so it
        needs neither a copy nor a snapshot."""
        self._to_probe_device(self.model)
        self.model.train()
        return self.model

    def _to_probe_device(self, model: nn.Module) -> None:
        if any(t.is_meta for t in itertools.chain(model.parameters(), model.buffers())):
            # Tensors on the meta device have no data to move: everything else
            # moves, they stay, and the forward pass names the two devices.
            model._apply(lambda t: t if t.is_meta else t.to(self.device))
        else:
            model.to(self.device)

    def raw_batches(self, count: int) -> list[Any]:
        """The first `count` batches exactly as train_data yields them (for the
        user's own train_step), moved to the probe device."""
        out = []
        for batch in self._iterate(self.target.train_data, "train_data"):
            out.append(to_device(batch, self.device))
            if len(out) >= count:
                break
        return out

    def build_optimizer(self, model: nn.Module, lr: float | None = None) -> BuiltOptimizer:
        """The user's optimizer over `model`'s parameters; `lr` rescales every group's rate."""
        params = [p for p in model.parameters()]
        opt = self.target.optimizer(params)
        if not isinstance(opt, torch.optim.Optimizer):
            raise TypeError(f"the optimizer factory returned {type(opt).__name__}, not a torch.optim.Optimizer")
        # A factory may hand out the user's own optimizer (`lambda p: opt`):
        # the snapshot saves it the first time it is seen, and one that holds
        # state or comes back a second time is the user's, live: probes get a
        # fresh one of the same kind and settings over the same parameters.
        live = opt in self._handed or bool(opt.state)
        if self.snapshot is not None:
            self.snapshot.add_optimizer(opt)
        self._handed.add(opt)
        if live:
            opt = self._remap(opt, model) or opt
        given = {id(p) for p in params}
        held = [p for g in opt.param_groups for p in g["params"]]
        if any(id(p) not in given for p in held):
            opt = self._remap(opt, model) or opt
            held = [p for g in opt.param_groups for p in g["params"]]
        foreign = sum(1 for p in held if id(p) not in given)
        held_ids = {id(p) for p in held}
        covered = sum(1 for p in params if p.requires_grad and id(p) in held_ids)
        if lr is not None:
            base = optimizer_lr(opt)
            if base is None or base <= 0:
                raise ValueError("the optimizer has no positive learning rate to change")
            for g in opt.param_groups:
                g["lr"] = float(g["lr"]) * lr / base
        return BuiltOptimizer(opt, foreign, covered)

    def _remap(self, opt: torch.optim.Optimizer, model: nn.Module) -> torch.optim.Optimizer | None:
        """A factory that ignores its argument and closes over the user's own
        model (``lambda params: Adam(model.parameters())``) would train the
        user's model, not the copy. Rebuild it over the copy's parameters of
        the same names, so the probe sees which parameters it really trains."""
        names = {id(p): n for n, p in self.model.named_parameters()}
        mine = dict(model.named_parameters())
        groups = []
        for g in opt.param_groups:
            if any(id(p) not in names or names[id(p)] not in mine for p in g["params"]):
                return None
            groups.append({**{k: v for k, v in g.items() if k != "params"},
                           "params": [mine[names[id(p)]] for p in g["params"]]})
        try:
            return type(opt)(groups, **opt.defaults)
        except Exception:
            return None

    def original(self, name: str, like: torch.Tensor) -> torch.Tensor | None:
        """The weight or buffer `name` as it came in, on `like`'s device, read
        from the snapshot (None without one): what a probe needs to compare
        with after a step, without holding a second copy of the weights."""
        if self.snapshot is None:
            return None
        saved = self.snapshot.saved_tensor(name)
        return None if saved is None else saved.to(like.device)

    def _user_lr(self) -> float | None:
        try:
            # Building an optimizer reads the parameters and changes nothing:
            # no copy of the model is needed.
            opt = self.build_optimizer(self.model).optimizer
        except Exception as exc:
            raise TargetError(f"the optimizer factory failed: {describe_exception(exc)}") from None
        lr = optimizer_lr(opt)
        if self.target.scheduler is not None:
            try:
                self.scheduler_for(opt)
            except Exception as exc:
                raise TargetError(f"the scheduler factory failed: {describe_exception(exc)}") from None
        return lr

    def scheduler_for(self, opt: torch.optim.Optimizer) -> Any:
        """The user's scheduler over `opt`, built fresh from the target's factory
        the first time a reference training runs on it (None without one).
        Built here rather than in build_optimizer: a warmup schedule sets the
        rate to its first value on construction, and probes that never step
        a scheduler (the LR sweep, the one-batch fit) must not train at it."""
        if self.target.scheduler is None:
            return None
        sched = self._schedulers.get(opt)
        if sched is None:
            sched = self.target.scheduler(opt)
            if not hasattr(sched, "step"):
                raise TypeError(f"the scheduler factory returned {type(sched).__name__}, not an LR scheduler")
            self._schedulers[opt] = sched
        return sched

    def batches_per_epoch(self) -> int | None:
        """len(train_data) when it has one (an iterable dataset may not)."""
        try:
            n = len(self.target.train_data)
        except Exception:
            return None
        return n if isinstance(n, int) and n > 0 else None

    @staticmethod
    def step_scheduler(sched: Any, metric: float) -> None:
        """One scheduler step; ReduceLROnPlateau is fed the loss it watches."""
        if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
            sched.step(metric)
        else:
            sched.step()

    # --- description (for reports) ----------------------------------------------
    def describe(self) -> dict[str, Any]:
        """What is known of the set-up: model, optimizer, loss, data sizes."""
        model = self.model
        params = list(model.parameters())
        total = sum(p.numel() for p in params)
        trainable = sum(p.numel() for p in params if p.requires_grad)
        layer_types: dict[str, int] = {}
        for m in model.modules():
            if not list(m.children()):
                layer_types[type(m).__name__] = layer_types.get(type(m).__name__, 0) + 1
        info: dict[str, Any] = {
            "torch": torch.__version__,
            "device": str(self.device),
            "model": type(model).__name__,
            "parameters": total,
            "trainable_parameters": trainable,
            "frozen_parameters": total - trainable,
            "layers": layer_types,
            "loss": getattr(type(self.target.loss_fn), "__name__", "") if not hasattr(self.target.loss_fn, "__name__")
            else self.target.loss_fn.__name__,
            "batch_size": self.batch_size,
            "task": self.target.task,
            "ignore_index": self.target.ignore_index,
            "has_val_data": self.target.val_data is not None,
            "has_train_step": self.target.train_step is not None,
        }
        try:
            opt = self.build_optimizer(model).optimizer
            info["optimizer"] = type(opt).__name__
            info["optimizer_params"] = {k: v for k, v in opt.defaults.items()
                                        if isinstance(v, (int, float, str, bool, tuple)) and v is not None
                                        and k not in ("foreach", "capturable", "differentiable", "fused")}
            if self.target.scheduler is not None:
                info["scheduler"] = type(self.scheduler_for(opt)).__name__
                info["scheduler_interval"] = self.target.scheduler_interval
        except Exception:
            pass
        for key, data in (("train_examples", self.target.train_data), ("val_examples", self.target.val_data)):
            dataset = getattr(data, "dataset", None)
            try:
                info[key] = len(dataset) if dataset is not None else (
                    sum(batch_len(self.split(b)[0]) for b in data) if isinstance(data, (list, tuple)) else None)
            except Exception:
                info[key] = None
        return info

    # --- steps -------------------------------------------------------------------
    def forward(self, model: nn.Module, inputs: Any) -> Any:
        return call_model(model, inputs)

    def loss(self, outputs: Any, targets: Any) -> torch.Tensor:
        return as_loss(self.target.loss_fn(outputs, targets))

    def batch_loss(self, model: nn.Module, batch: tuple[Any, Any]) -> torch.Tensor:
        inputs, targets = batch
        return self.loss(self.forward(model, inputs), targets)

    def train_step(self, model: nn.Module, opt: torch.optim.Optimizer, batch: tuple[Any, Any],
                   after_backward: Callable[[nn.Module], None] | None = None) -> float:
        """The reference step: train mode, zero_grad, forward, loss, backward, step."""
        start = time.perf_counter()
        model.train()
        opt.zero_grad(set_to_none=True)
        loss = self.batch_loss(model, batch)
        loss.backward()
        if after_backward is not None:
            after_backward(model)
        self.guard()
        opt.step()
        self.steps += 1
        value = float(loss.detach())      # on an accelerator this waits for the step: the timing is whole
        self.note_step_time(time.perf_counter() - start, batch_len(batch[0]) or batch_len(batch[1]) or 1)
        return value

    def guard(self) -> None:
        """Raise HarnessClosed once probing has ended (see `closed`): called
        before anything that changes the model."""
        if self.closed:
            raise HarnessClosed("probing has ended; the model is no longer the probes'")

    def note_step_time(self, seconds: float, examples: int) -> None:
        """Record how long a training step of `examples` examples took. The
        mean with the previous figure: steady, and still quick to follow a
        change (a larger batch, an optimizer's first step)."""
        rate = seconds / max(1, examples)
        old = self.seconds_per_example
        self.seconds_per_example = rate if old is None else 0.5 * (old + rate)
        size = max(1, examples)
        was = self.step_seconds.get(size)
        self.step_seconds[size] = seconds if was is None else 0.5 * (was + seconds)

    def estimate_step(self, examples: int) -> float | None:
        """Seconds a training step of `examples` examples should take: as
        measured at that batch size, else scaled up from the nearest size
        measured (never down: the overhead stays), else from the time per
        example; None before any step was timed."""
        if self.step_seconds:
            nearest = min(self.step_seconds, key=lambda m: abs(math.log(m / max(1, examples))))
            took = self.step_seconds[nearest]
            return took * examples / nearest if examples > nearest else took
        if self.seconds_per_example is None:
            return None
        return self.seconds_per_example * max(1, examples)

    def eval_seconds_per_example(self) -> float | None:
        """A forward pass per example, at a third of the cheapest training
        step per example measured (the largest batch's)."""
        rates = [t / m for m, t in self.step_seconds.items()]
        if self.seconds_per_example is not None:
            rates.append(self.seconds_per_example)
        return min(rates) / 3 if rates else None

    @torch.no_grad()
    def eval_loss(self, model: nn.Module, batches: list[tuple[Any, Any]]) -> float:
        """Mean loss over batches, weighted by batch size, in eval mode; train mode restored."""
        was = model.training
        model.eval()
        total, count = 0.0, 0
        try:
            for batch in batches:
                n = batch_len(batch[0]) or 1
                total += float(self.batch_loss(model, batch)) * n
                count += n
        finally:
            model.train(was)
        return total / count if count else math.nan

    def train(self, model: nn.Module, opt: torch.optim.Optimizer, steps: int,
              batches: Iterable[tuple[Any, Any]] | None = None, eval_every: int = 0,
              tick: Callable[[int], bool] | None = None, grad_norms: bool = False) -> "Run":
        """The reference loop for `steps` steps over `batches` (default: the
        user's own stream), with the validation loss every `eval_every`
        steps when there is val_data. `tick(step)` returns True to stop early.
        Stops at the first non-finite loss. The target's scheduler, when it
        has one, is stepped after every step (scheduler_interval "step") or
        at the end of every pass over train_data ("epoch": only on the
        user's own stream, whose epochs are known, and only when
        train_data has a length); ReduceLROnPlateau is fed the validation
        loss, or the epoch's mean training loss without val_data."""
        run = Run()
        source = iter(batches) if batches is not None else self.stream()
        sched = self.scheduler_for(opt)
        per_epoch = self.batches_per_epoch() if batches is None else None
        epoch_losses: list[float] = []
        for i in range(steps):
            try:
                batch = next(source)
            except StopIteration:
                break
            loss = self.train_step(model, opt, batch, after_backward=run.record_grad_norm if grad_norms else None)
            run.steps.append(i)
            run.losses.append(loss)
            if not math.isfinite(loss):
                break
            if sched is not None:
                epoch_losses.append(loss)
                if self.target.scheduler_interval == "step":
                    self.step_scheduler(sched, loss)
                elif per_epoch and (i + 1) % per_epoch == 0:
                    metric = self.eval_loss(model, self.val_batches) if self.val_batches and isinstance(
                        sched, torch.optim.lr_scheduler.ReduceLROnPlateau) else sum(epoch_losses) / len(epoch_losses)
                    self.step_scheduler(sched, metric)
                    epoch_losses = []
            if eval_every and self.val_batches and (i % eval_every == 0 or i == steps - 1):
                run.val_steps.append(i)
                run.val_losses.append(self.eval_loss(model, self.val_batches))
            if tick is not None and tick(i):
                break
        return run


@dataclass
class Run:
    """Losses recorded by Harness.train."""
    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    val_steps: list[int] = field(default_factory=list)
    val_losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)

    def record_grad_norm(self, model: nn.Module) -> None:
        grads = [p.grad.detach() for p in model.parameters() if p.grad is not None]
        total = torch.stack([g.float().pow(2).sum() for g in grads]).sum() if grads else torch.tensor(0.0)
        self.grad_norms.append(float(total.sqrt()))
