"""Load the user's set-up as CONTRACT.md section 2 describes it.

``FILE.py:FUNC`` or ``package.module:FUNC`` names a function that takes no
arguments and returns a mapping (or an object with the same attributes)
with model, loss_fn, optimizer (a factory), train_data and, optionally,
val_data, task, ignore_index, scheduler (a factory), scheduler_interval,
train_step and split_batch. Everything that can go wrong
before probing starts is a TargetError: one line the CLI prints before
exiting with status 2.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

TASKS = ("classification", "binary", "multilabel", "regression", "segmentation", "sequence", "language_modeling")
REQUIRED = ("model", "loss_fn", "optimizer", "train_data")
OPTIONAL = ("val_data", "task", "ignore_index", "scheduler", "scheduler_interval", "train_step", "split_batch")
SCHEDULER_INTERVALS = ("step", "epoch")


class TargetError(Exception):
    """The target cannot be loaded; the message is one line (plus, where it
    helps, the last frames of the user's own traceback on later lines)."""


@dataclass
class Target:
    model: Any
    loss_fn: Callable
    optimizer: Callable
    train_data: Iterable
    val_data: Iterable | None = None
    task: str | None = None
    ignore_index: int | None = None
    scheduler: Callable | None = None    # scheduler(optimizer) -> LRScheduler or ReduceLROnPlateau
    scheduler_interval: str = "epoch"
    train_step: Callable | None = None
    split_batch: Callable | None = None
    factory: Callable | None = None      # FUNC itself, for calls with other seeds
    spec: str = ""

    @property
    def accepts_seed(self) -> bool:
        if self.factory is None:
            return False
        try:
            params = inspect.signature(self.factory).parameters
        except (TypeError, ValueError):
            return False
        return "seed" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())

    def with_seed(self, seed: int) -> "Target":
        """An independent set-up from FUNC(seed=seed) (CONTRACT.md section 2)."""
        if not self.accepts_seed:
            raise TargetError(f"{self.spec} does not accept a seed keyword")
        return from_object(_call_user(self.factory, self.spec, seed=seed), self.spec, self.factory)


def user_frames(exc: BaseException, limit: int = 3) -> str:
    """The last frames of a traceback that belong to the user's code, indented."""
    here = str(Path(__file__).resolve().parents[1])     # the whole package, not the user's
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith(here) and "importlib" not in f.filename]
    lines = [f"    {Path(f.filename).name}:{f.lineno} in {f.name}: {(f.line or '').strip()}" for f in frames[-limit:]]
    return "\n".join(lines)


def describe_exception(exc: BaseException) -> str:
    """`Type: first line of the message`, the form every error line uses."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _call_user(func: Callable, spec: str, **kwargs: Any) -> Any:
    try:
        return func(**kwargs)
    except Exception as exc:  # the user's code: any failure is theirs to see
        frames = user_frames(exc)
        raise TargetError(f"{spec} raised {describe_exception(exc)}" + (f"\n{frames}" if frames else "")) from None


def _import_file(path: Path, spec: str):
    if not path.exists():
        raise TargetError(f"no such file: {path}")
    if path.suffix != ".py":
        raise TargetError(f"{path} is not a Python file (expected FILE.py:FUNC)")
    name = "loss_advisor_target_" + path.stem.replace("-", "_")
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise TargetError(f"cannot import {path}")
    module = importlib.util.module_from_spec(module_spec)
    # Like `python FILE.py`: the file's folder comes first on the import path.
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        raise TargetError(f"{path}: syntax error at line {exc.lineno}: {exc.msg}") from None
    except Exception as exc:
        sys.modules.pop(name, None)
        frames = user_frames(exc)
        raise TargetError(f"importing {path} raised {describe_exception(exc)}" + (f"\n{frames}" if frames else "")) from None
    return module


def _import_module(dotted: str):
    try:
        return importlib.import_module(dotted)
    except ModuleNotFoundError as exc:
        if exc.name and dotted.startswith(exc.name):
            raise TargetError(f"no module named {dotted!r} (is it on PYTHONPATH?)") from None
        raise TargetError(f"importing {dotted} raised {describe_exception(exc)}\n{user_frames(exc)}") from None
    except SyntaxError as exc:
        raise TargetError(f"{exc.filename}: syntax error at line {exc.lineno}: {exc.msg}") from None
    except Exception as exc:
        raise TargetError(f"importing {dotted} raised {describe_exception(exc)}\n{user_frames(exc)}") from None


def resolve(spec: str) -> Callable:
    """The function that FILE.py:FUNC or package.module:FUNC names."""
    if ":" not in spec:
        raise TargetError(f"target {spec!r} must look like FILE.py:FUNC or package.module:FUNC")
    where, _, func_name = spec.rpartition(":")
    if not where or not func_name.isidentifier():
        raise TargetError(f"target {spec!r} must look like FILE.py:FUNC or package.module:FUNC")
    looks_like_file = where.endswith(".py") or os.sep in where or "/" in where
    module = _import_file(Path(where), spec) if looks_like_file else _import_module(where)
    func = getattr(module, func_name, None)
    if func is None:
        public = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_")
                        and getattr(v, "__module__", None) == module.__name__)
        hint = f" (it defines: {', '.join(public[:8])})" if public else ""
        raise TargetError(f"{where} has no function {func_name!r}{hint}")
    if not callable(func):
        raise TargetError(f"{spec}: {func_name!r} is not a function")
    return func


def load_target(spec: str, seed: int | None = None) -> Target:
    func = resolve(spec)
    kwargs = {"seed": seed} if seed is not None else {}
    return from_object(_call_user(func, spec, **kwargs), spec, func)


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def from_object(obj: Any, spec: str = "target", factory: Callable | None = None) -> Target:
    """Check the mapping FUNC returned and wrap it; a wrong or missing key is a TargetError."""
    import torch

    if obj is None:
        raise TargetError(f"{spec} returned None; it must return a mapping with {', '.join(REQUIRED)}")
    if isinstance(obj, Mapping):
        unknown = sorted(set(map(str, obj)) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise TargetError(f"{spec} returned unknown key(s) {', '.join(map(repr, unknown))}; "
                              f"expected {', '.join(REQUIRED + OPTIONAL)}")
    missing = [k for k in REQUIRED if _get(obj, k) is None]
    if missing:
        raise TargetError(f"{spec} result lacks {', '.join(map(repr, missing))} "
                          f"(required: {', '.join(REQUIRED)})")
    model, loss_fn, optimizer = _get(obj, "model"), _get(obj, "loss_fn"), _get(obj, "optimizer")
    if not isinstance(model, torch.nn.Module):
        raise TargetError(f"'model' must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TargetError(f"'loss_fn' must be callable as loss_fn(outputs, targets), got {type(loss_fn).__name__}")
    if isinstance(optimizer, torch.optim.Optimizer):
        raise TargetError(
            "'optimizer' must be a factory optimizer(params) -> Optimizer, not an optimizer; "
            f"for example: lambda params: torch.optim.{type(optimizer).__name__}(params, lr=...)")
    if not callable(optimizer):
        raise TargetError(f"'optimizer' must be a factory optimizer(params) -> Optimizer, got {type(optimizer).__name__}")
    data = {}
    for key in ("train_data", "val_data"):
        value = _get(obj, key)
        if value is None:
            continue
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            raise TargetError(f"'{key}' must be a re-iterable of batches such as a DataLoader, got {type(value).__name__}")
        if hasattr(value, "__next__"):      # an iterator: iterating it consumes it
            raise TargetError(f"'{key}' is a one-shot iterator ({type(value).__name__}); probes need to iterate it "
                              "more than once: pass a DataLoader or a list of batches")
        data[key] = value
    task = _get(obj, "task")
    if task is not None and task not in TASKS:
        raise TargetError(f"'task' must be one of {', '.join(TASKS)}, got {task!r}")
    ignore_index = _get(obj, "ignore_index")
    if ignore_index is not None:
        if isinstance(ignore_index, torch.Tensor) and ignore_index.numel() == 1:
            ignore_index = ignore_index.item()
        if isinstance(ignore_index, bool) or not isinstance(ignore_index, int):
            raise TargetError(f"'ignore_index' must be an integer (the target value that marks padding), "
                              f"got {ignore_index!r}")
    scheduler = _get(obj, "scheduler")
    if scheduler is not None:
        if not callable(scheduler) or hasattr(scheduler, "step") and hasattr(scheduler, "optimizer"):
            raise TargetError("'scheduler' must be a factory scheduler(optimizer) -> LRScheduler, not a scheduler; "
                              "for example: lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=10)")
    interval = _get(obj, "scheduler_interval")
    if interval is not None and interval not in SCHEDULER_INTERVALS:
        raise TargetError(f"'scheduler_interval' must be one of {', '.join(SCHEDULER_INTERVALS)}, got {interval!r}")
    for key in ("train_step", "split_batch"):
        value = _get(obj, key)
        if value is not None and not callable(value):
            raise TargetError(f"'{key}' must be callable, got {type(value).__name__}")
    return Target(model=model, loss_fn=loss_fn, optimizer=optimizer, train_data=data["train_data"],
                  val_data=data.get("val_data"), task=task, ignore_index=ignore_index, scheduler=scheduler,
                  scheduler_interval=interval or "epoch", train_step=_get(obj, "train_step"),
                  split_batch=_get(obj, "split_batch"), factory=factory, spec=spec)
