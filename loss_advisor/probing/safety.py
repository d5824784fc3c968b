"""Nothing lost: save everything a probe run could disturb, and put it back.

The user's model (weights, buffers, gradients, requires_grad flags and
train/eval mode of every module), the global random generators and the
generators of their DataLoaders are saved before probing and restored
after, so their next training run starts exactly where it would have.
"""
from __future__ import annotations

import random
from typing import Any, Iterable

import torch
from torch import nn


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
    return torch.equal(a, b)


class Snapshot:
    def __init__(self, model: nn.Module, loaders: Iterable[Any] = ()):
        self.model = model
        # Saved in CPU memory whatever the model's device, so that a snapshot
        # never costs the accelerator a second copy of the model.
        self.state = {k: _to_host(v) for k, v in model.state_dict(keep_vars=True).items()}
        self.modes = {name: m.training for name, m in model.named_modules()}
        self.requires_grad = {name: p.requires_grad for name, p in model.named_parameters()}
        self.grads = {name: (None if p.grad is None else _to_host(p.grad))
                      for name, p in model.named_parameters()}
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

    def restore(self) -> None:
        with torch.no_grad():
            current = self.model.state_dict(keep_vars=True)
            for key, saved in self.state.items():
                if key not in current or saved.is_meta or current[key].is_meta:
                    continue                    # a meta tensor holds no values to restore
                if not torch.equal(current[key].detach().cpu(), saved):
                    current[key].data.copy_(saved)
        for name, module in self.model.named_modules():
            if name in self.modes:
                module.training = self.modes[name]
        for name, p in self.model.named_parameters():
            if name in self.requires_grad:
                p.requires_grad_(self.requires_grad[name])
            saved = self.grads.get(name)
            p.grad = None if saved is None or saved.is_meta else saved.to(p.device, copy=True)
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
        out = [k for k, v in self.state.items() if k not in current or not _same(current[k], v.detach())]
        out += [n for n, m in self.model.named_modules() if self.modes.get(n) != m.training]
        return out


def _to_host(tensor: torch.Tensor) -> torch.Tensor:
    """A copy in CPU memory (a real copy on CPU too: the original may change);
    a meta tensor, which holds no values, stays as it is."""
    if tensor.is_meta:
        return tensor.detach()
    return tensor.detach().to("cpu", copy=True)
