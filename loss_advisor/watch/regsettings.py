"""Weight decay and Dropout settings of a watched run, read from the live
model and optimizers at the end: the same observations the
regularization_fit probe reports about the set-up (its experiment needs the
probe mode; a watched script shows the settings and the curve)."""
from __future__ import annotations

from typing import Any, Iterable

import torch
from torch import nn


def regularization_settings(model: nn.Module | None, optimizers: Iterable[torch.optim.Optimizer]) -> dict[str, Any]:
    obs: dict[str, Any] = {}
    groups = [g for opt in optimizers for g in opt.param_groups]
    if groups:
        obs["regularization_fit.weight_decay"] = max(float(g.get("weight_decay", 0) or 0) for g in groups)
        decoupled = [g for opt in optimizers for g in opt.param_groups
                     if isinstance(opt, (torch.optim.AdamW, torch.optim.SGD)) or g.get("decoupled_weight_decay")]
        if decoupled:
            # The rate in use when the run ended, as the scheduler left it.
            obs["regularization_fit.decay_per_step"] = max(
                float(g.get("lr", 0) or 0) * float(g.get("weight_decay", 0) or 0) for g in decoupled)
    if model is not None:
        rates = [float(m.p) for m in model.modules() if isinstance(m, nn.modules.dropout._DropoutNd)]
        if rates:
            obs["regularization_fit.dropout_max"] = max(rates)
            obs["regularization_fit.dropout_min"] = min(rates)
    return obs
