"""Nothing lost: save everything a probe run could disturb, and put it back.

The user's model (weights, buffers, gradients, requires_grad flags and
train/eval mode of every module), the optimizers the target's factory
handed out (their state and hyperparameters), the global random
generators (torch, CUDA, numpy, random) and the generators of their
DataLoaders are saved before probing and restored after, so their next
training run starts exactly where it would have.

Probes train the user's model itself, in place (see Harness.fresh_model):
a copy would cost a second model on the device the model fills. The saved
values never cost device memory: they are kept in CPU memory, and above
SPILL_BYTES they go to a temporary file instead, read back one tensor at
a time.
"""
from __future__ import annotations

import copy
import os
import random
import tempfile
import weakref
from typing import Any, Iterable

import torch
from torch import nn

# Above this many bytes of saved tensors the snapshot is written to a
# temporary file instead of kept in CPU memory. Probing trains the user's
# model in place, so the run needs what plain training needs (weights,
# gradients, optimizer state: about four times the weights with Adam, plus
# activations) and the snapshot on top: kept in memory it adds one more
# copy of the weights, a quarter of what Adam training holds, which alone
# would use up the 1.25x of plain training the probes are allowed. Below
# 64 MiB (16M float32 parameters) the copy is a few percent of what the
# process already holds (importing torch alone takes several hundred MiB)
# and writing a file would only cost time. LOSS_ADVISOR_SPILL_MB overrides
# it (0: always to disk); LOSS_ADVISOR_SPILL_DIR (else TMPDIR) says where
# the file goes -- a tmpfs there would keep the copy in memory after all.
SPILL_BYTES = 64 * 2 ** 20


def spill_bytes() -> int:
    raw = os.environ.get("LOSS_ADVISOR_SPILL_MB")
    if raw:
        try:
            return max(0, int(float(raw) * 2 ** 20))
        except ValueError:
            pass
    return SPILL_BYTES


def _loader_generators(data: Any) -> list[torch.Generator]:
    found: list[torch.Generator] = []
    for holder in (data, getattr(data, "sampler", None), getattr(data, "batch_sampler", None),
                   getattr(getattr(data, "batch_sampler", None), "sampler", None)):
        gen = getattr(holder, "generator", None)
        if isinstance(gen, torch.Generator) and all(gen is not g for g in found):
            found.append(gen)
    return found


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal values; a meta tensor has none, so its shape is all there is to compare."""
    if a.is_meta or b.is_meta:
        return a.is_meta == b.is_meta and a.shape == b.shape
    return torch.equal(a.detach().cpu(), b)


class TensorStore:
    """Tensors saved by key, in CPU memory or, once `put` has been called
    for all of them and they add up to more than `limit` bytes, in an
    anonymous temporary file (deleted by the OS when closed, even if the
    process dies). `get` returns a CPU tensor the caller may keep."""

    def __init__(self, tensors: dict[Any, torch.Tensor], limit: int | None = None):
        limit = spill_bytes() if limit is None else limit
        total = sum(t.numel() * t.element_size() for t in tensors.values() if _spillable(t))
        self.spilled = total > limit
        self._memory: dict[Any, torch.Tensor] = {}
        self._where: dict[Any, tuple[int, int, torch.dtype, torch.Size]] = {}
        self._file = None
        if self.spilled:
            folder = os.environ.get("LOSS_ADVISOR_SPILL_DIR") or None
            self._file = tempfile.TemporaryFile(prefix="loss-advisor-snapshot-", dir=folder)
        offset = 0
        for key, tensor in tensors.items():
            if self._file is not None and _spillable(tensor):
                host = tensor.detach().to("cpu").contiguous().reshape(-1)   # one tensor at a time
                raw = host.view(torch.uint8).numpy()
                self._file.write(memoryview(raw))
                self._where[key] = (offset, raw.nbytes, tensor.dtype, tensor.shape)
                offset += raw.nbytes
                del host, raw
            else:
                self._memory[key] = _to_host(tensor)
        if self._file is not None:
            self._file.flush()

    def __contains__(self, key: Any) -> bool:
        return key in self._memory or key in self._where

    def get(self, key: Any, own: bool = False) -> torch.Tensor:
        """The saved tensor on the CPU. From memory it is the saved copy
        itself unless `own` (then a clone the caller may change)."""
        if key in self._memory:
            saved = self._memory[key]
            return saved.clone() if own and not saved.is_meta else saved
        offset, nbytes, dtype, shape = self._where[key]
        buf = torch.empty(nbytes, dtype=torch.uint8)
        self._file.seek(offset)
        self._file.readinto(memoryview(buf.numpy()))
        return buf.view(dtype).reshape(shape)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


def _spillable(tensor: torch.Tensor) -> bool:
    return (not tensor.is_meta and tensor.layout == torch.strided and not tensor.is_quantized
            and tensor.numel() > 0)


class Snapshot:
    def __init__(self, model: nn.Module, loaders: Iterable[Any] = (), optimizers: Iterable[torch.optim.Optimizer] = (),
                 limit: int | None = None):
        self.model = model
        self.limit = limit
        params = dict(model.named_parameters())
        tensors: dict[Any, torch.Tensor] = {("state", k): v for k, v in model.state_dict(keep_vars=True).items()}
        tensors.update({("grad", n): p.grad for n, p in params.items() if p.grad is not None})
        # Saved in CPU memory (or a file) whatever the model's device, so that
        # a snapshot never costs the accelerator a second copy of the model.
        self.store = TensorStore(tensors, limit)
        self.state_keys = [k for kind, k in tensors if kind == "state"]
        self.grad_names = {n for n, p in params.items() if p.grad is not None}
        self.modes = {name: m.training for name, m in model.named_modules()}
        self.requires_grad = {name: p.requires_grad for name, p in params.items()}
        self.torch_rng = torch.get_rng_state()
        self.cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
        self.py_rng = random.getstate()
        self.np_rng = None
        try:
            import numpy as np
            self.np_rng = np.random.get_state()
        except ImportError:
            pass
        self.generators = [(g, g.get_state()) for data in loaders for g in _loader_generators(data)]
        self._optimizers: list[tuple[weakref.ref, list[dict], dict[int, dict[str, Any]], TensorStore]] = []
        self._scalers: list[tuple[Any, dict[str, Any]]] = []
        for opt in optimizers:
            self.add_optimizer(opt)

    @property
    def spilled(self) -> bool:
        return self.store.spilled

    # --- optimizers ---------------------------------------------------------
    def add_optimizer(self, opt: torch.optim.Optimizer) -> None:
        """Save `opt`'s state and hyperparameters (once per optimizer), to be
        put back by restore() if it is still alive then. The target's factory
        may hand out the user's own optimizer, which probes then step."""
        if any(ref() is opt for ref, *_ in self._optimizers):
            return
        groups = [copy.deepcopy({k: v for k, v in g.items() if k != "params"}) for g in opt.param_groups]
        order = [p for g in opt.param_groups for p in g["params"]]
        tensors: dict[Any, torch.Tensor] = {}
        plain: dict[int, dict[str, Any]] = {}
        for i, p in enumerate(order):
            st = opt.state.get(p)
            if not st:
                continue
            plain[i] = {}
            for k, v in st.items():
                if isinstance(v, torch.Tensor):
                    tensors[(i, k)] = v
                    plain[i][k] = (v.device, )          # a marker: the value is in the store
                else:
                    plain[i][k] = copy.deepcopy(v)
        self._optimizers.append((weakref.ref(opt), groups, plain, TensorStore(tensors, self.limit)))

    def _restore_optimizers(self) -> None:
        for ref, groups, plain, store in self._optimizers:
            opt = ref()
            if opt is None:
                continue
            for g, saved in zip(opt.param_groups, groups):
                for k in [k for k in g if k != "params" and k not in saved]:
                    del g[k]              # e.g. initial_lr, set by a scheduler built over it
                g.update(copy.deepcopy(saved))
            order = [p for g in opt.param_groups for p in g["params"]]
            for i, p in enumerate(order):
                if i not in plain:
                    opt.state.pop(p, None)
                    continue
                now = opt.state.setdefault(p, {})
                for k in [k for k in now if k not in plain[i]]:
                    del now[k]
                for k, v in plain[i].items():
                    if (i, k) not in store:
                        now[k] = copy.deepcopy(v)
                        continue
                    saved = store.get((i, k), own=True)
                    device = v[0]
                    current = now.get(k)
                    if isinstance(current, torch.Tensor) and current.shape == saved.shape \
                            and current.dtype == saved.dtype and current.device == device and not current.is_meta:
                        current.copy_(saved)
                    else:
                        now[k] = saved.to(device)

    # --- GradScalers ---------------------------------------------------------
    def add_scaler(self, scaler: Any) -> None:
        """Save a GradScaler the user's train_step uses (its scale, growth
        tracker and per-optimizer records): the probes call that step, and
        each call moves the scale."""
        if any(s is scaler for s, _ in self._scalers):
            return
        self._scalers.append((scaler, {k: _copy_value(v) for k, v in vars(scaler).items()}))

    def _restore_scalers(self) -> None:
        for scaler, saved in self._scalers:
            for k in [k for k in vars(scaler) if k not in saved]:
                delattr(scaler, k)
            for k, v in saved.items():
                now = getattr(scaler, k, None)
                if isinstance(v, torch.Tensor) and isinstance(now, torch.Tensor) and now.shape == v.shape \
                        and now.dtype == v.dtype:
                    now.copy_(v.to(now.device))
                else:
                    setattr(scaler, k, _copy_value(v))

    # --- the model ----------------------------------------------------------
    def saved_tensor(self, key: str) -> torch.Tensor | None:
        """A weight or buffer as it was when the snapshot was taken (CPU)."""
        return self.store.get(("state", key)) if ("state", key) in self.store else None

    def restore_model(self) -> None:
        """Weights, buffers, gradients, requires_grad flags and train/eval
        modes as they were, in place (the parameters stay the same objects)."""
        with torch.no_grad():
            current = self.model.state_dict(keep_vars=True)
            for key in self.state_keys:
                now = current.get(key)
                if now is None or now.is_meta or not _spillable(now):
                    continue                    # a meta tensor holds no values to restore
                saved = self.store.get(("state", key))
                if saved.is_meta or saved.shape != now.shape:
                    continue
                now.data.copy_(saved)
                del saved
        for name, module in self.model.named_modules():
            if name in self.modes:
                module.training = self.modes[name]
        for name, p in self.model.named_parameters():
            if name in self.requires_grad:
                p.requires_grad_(self.requires_grad[name])
            if name in self.grad_names and ("grad", name) in self.store:
                saved = self.store.get(("grad", name), own=True)
                p.grad = saved.to(p.device) if not saved.is_meta else None
            else:
                p.grad = None

    def restore(self) -> None:
        self.restore_model()
        self._restore_optimizers()
        self._restore_scalers()
        torch.set_rng_state(self.torch_rng)
        if self.cuda_rng is not None:
            torch.cuda.set_rng_state_all(self.cuda_rng)
        random.setstate(self.py_rng)
        if self.np_rng is not None:
            import numpy as np
            np.random.set_state(self.np_rng)
        for gen, state in self.generators:
            gen.set_state(state)

    def changed(self) -> list[str]:
        """Names of weights or buffers that differ from the snapshot (empty when intact)."""
        current = self.model.state_dict()
        out = []
        for key in self.state_keys:
            if key not in current:
                out.append(key)
                continue
            saved = self.store.get(("state", key))
            if not _same(current[key], saved):
                out.append(key)
        out += [n for n, m in self.model.named_modules() if self.modes.get(n) != m.training]
        return out

    def close(self) -> None:
        """Drop the saved tensors (the temporary file, when there is one)."""
        self.store.close()
        for *_, store in self._optimizers:
            store.close()


def _copy_value(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def scalers_of(step: Any) -> list[Any]:
    """The GradScalers a train_step function reaches: in its closure, the
    globals it names, or the object it is a method of. Found by looking at
    the objects, never by reading the source."""
    try:
        from torch.amp import GradScaler
    except ImportError:        # pragma: no cover - torch too old for torch.amp
        return []
    found: list[Any] = []

    def consider(obj: Any) -> None:
        if isinstance(obj, GradScaler) and all(obj is not f for f in found):
            found.append(obj)

    func = getattr(step, "__func__", step)
    owner = getattr(step, "__self__", None)
    if owner is not None:
        for value in getattr(owner, "__dict__", {}).values():
            consider(value)
    for cell in getattr(func, "__closure__", None) or ():
        try:
            consider(cell.cell_contents)
        except ValueError:      # an empty cell
            pass
    code, glob = getattr(func, "__code__", None), getattr(func, "__globals__", {})
    if code is not None:
        for name in code.co_names:
            consider(glob.get(name))
    return found


def _to_host(tensor: torch.Tensor) -> torch.Tensor:
    """A copy in CPU memory (a real copy on CPU too: the original may change);
    a meta tensor, which holds no values, stays as it is."""
    if tensor.is_meta:
        return tensor.detach()
    return tensor.detach().to("cpu", copy=True)
