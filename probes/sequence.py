"""Padding and attention masks: does padding count in the loss, and does the
attention see the real tokens?

Padding is found in the data, not assumed: the target's `ignore_index`
when it declares one; else the loss module's `ignore_index` (PyTorch's
-100 by default) when targets hold it; else a value that fills the tail of
most rows (`tail_padding`) — in the targets, and in the token IDs among
the inputs.

Three experiments on a copy of the model in eval mode (no Dropout noise,
no batch statistics), each a change the answer does not depend on:

- padding in the loss: the model's outputs are perturbed at padding
  positions only, then at real positions only, and the loss compared. A
  position the loss ignores (ignore_index, a mask) adds exactly nothing, so
  a loss that moves with the padding outputs counts the padding.
- padding attended to: the padding token IDs are replaced by other real
  IDs. Where a key-padding mask hides them, their attention weight is
  exp(-inf) = 0 exactly, and the outputs at real positions do not move by a
  single bit.
- real tokens hidden (outputs per position): every real token but the
  last of each row is replaced. Attention that reaches them moves the
  output at the last real position; a mask that hides them (1 = keep
  passed where True = ignore) leaves it where it was.

A forward pre-hook on PyTorch's attention modules also reads the key-padding
mask they are given, and compares it with where the padding is.

Diagnoses (through the knowledge base): padding_in_loss, attention_mask_wrong.
"""
from __future__ import annotations

import copy
import math
from typing import Any

import torch
from torch import nn

from loss_advisor.core.kb import threshold
from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probes.init_loss import main_output
from loss_advisor.probing.harness import Harness

# Padding fills the tail of most rows: the share of rows that must end in the
# same value (the reason: knowledge/thresholds.yaml).
PAD_ROWS = threshold("sequence.padding_rows")
# PyTorch's default ignore_index (CrossEntropyLoss, NLLLoss, F.cross_entropy).
TORCH_IGNORE_INDEX = -100
DRAWS = 3


def tail_padding(t: Any) -> tuple[int, torch.Tensor] | None:
    """(value, mask of padding positions) when one value fills the tail of most
    rows of an integer (batch, time) tensor with tails of different lengths
    (sequences of different lengths padded to one), else None."""
    if not isinstance(t, torch.Tensor) or t.dim() != 2 or t.is_floating_point() or t.dtype == torch.bool \
            or t.shape[1] < 2 or t.shape[0] < 2:
        return None
    t = t.detach().cpu()
    last = t[:, -1]
    value = int(torch.mode(last).values)
    ends = last == value
    if float(ends.float().mean()) < PAD_ROWS:
        return None
    same = (t == value)
    # Length of the run of `value` at the end of each row.
    run = torch.flip(torch.cumprod(torch.flip(same, [1]).long(), dim=1), [1]).bool()
    lengths = run.sum(1)
    real = t.shape[1] - lengths
    if bool((real[ends] == 0).all()):
        return None                      # whole rows of one value: no sequence to pad
    if value >= 0 and torch.unique(lengths[ends]).numel() < 2:
        return None                      # the same tail everywhere (an end token), not padding
    return value, run


def target_padding(h: Harness, targets: Any) -> tuple[int, torch.Tensor, str] | None:
    """Where the targets are padding: (value, mask, how it was found)."""
    if not isinstance(targets, torch.Tensor) or targets.is_floating_point() or targets.dim() < 2:
        return None
    t = targets.detach().cpu()
    declared = h.target.ignore_index
    if declared is not None:
        mask = t == declared
        return (declared, mask, "declared") if bool(mask.any()) else None
    from_loss = getattr(h.target.loss_fn, "ignore_index", None)
    for value in dict.fromkeys(v for v in (from_loss, TORCH_IGNORE_INDEX) if isinstance(v, int)):
        mask = t == value
        if bool(mask.any()):
            return value, mask, "loss"
    found = tail_padding(t) if t.dim() == 2 else None
    if found is not None:
        return found[0], found[1], "inferred"
    return None


def token_tensors(inputs: Any) -> list[tuple[Any, torch.Tensor]]:
    """(key, tensor) for every tensor among the inputs (a tensor, tuple or dict)."""
    if isinstance(inputs, torch.Tensor):
        return [(None, inputs)]
    if isinstance(inputs, dict):
        return [(k, v) for k, v in inputs.items() if isinstance(v, torch.Tensor)]
    if isinstance(inputs, (tuple, list)):
        return [(i, v) for i, v in enumerate(inputs) if isinstance(v, torch.Tensor)]
    return []


def replace_input(inputs: Any, key: Any, value: torch.Tensor) -> Any:
    if key is None:
        return value
    if isinstance(inputs, dict):
        return {**inputs, key: value}
    items = list(inputs)
    items[key] = value
    if isinstance(inputs, tuple) and hasattr(inputs, "_fields"):
        return type(inputs)(*items)
    return type(inputs)(items)


def is_mask(t: torch.Tensor) -> bool:
    if t.dtype == torch.bool:
        return True
    return not t.is_floating_point() and bool(((t == 0) | (t == 1)).all())


def find_ids(inputs: Any) -> tuple[Any, torch.Tensor, int, torch.Tensor] | None:
    """The token IDs among the inputs with their padding: (key, ids, pad value, pad mask)."""
    for key, t in token_tensors(inputs):
        if t.dim() == 2 and not t.is_floating_point() and not is_mask(t):
            found = tail_padding(t)
            if found is not None:
                return key, t, found[0], found[1]
    return None


def with_main_output(outputs: Any, new: torch.Tensor) -> Any:
    """The model's outputs with their main tensor (as init_loss reads it) replaced."""
    if isinstance(outputs, torch.Tensor):
        return new
    for key in ("logits", "prediction", "output"):
        if isinstance(outputs, dict) and isinstance(outputs.get(key), torch.Tensor):
            return {**outputs, key: new}
        if not isinstance(outputs, dict) and isinstance(getattr(outputs, key, None), torch.Tensor):
            clone = copy.copy(outputs)
            try:
                setattr(clone, key, new)
            except Exception:
                return None
            return clone
    if isinstance(outputs, (tuple, list)) and outputs and isinstance(outputs[0], torch.Tensor):
        items = [new, *outputs[1:]]
        return type(outputs)(*items) if hasattr(outputs, "_fields") else type(outputs)(items)
    return None


def positions(o: torch.Tensor, mask: torch.Tensor) -> torch.Tensor | None:
    """`mask` (batch, time) laid over the output `o` (None when they do not line up):
    (B, T, C...), (B, C, T) or flattened (B*T, C)."""
    B, T = mask.shape
    mask = mask.to(o.device)
    if o.dim() >= 2 and tuple(o.shape[:2]) == (B, T):
        return mask.reshape(B, T, *([1] * (o.dim() - 2))).expand_as(o)
    if o.dim() == 3 and o.shape[0] == B and o.shape[2] == T:
        return mask[:, None, :].expand_as(o)
    if o.dim() == 2 and o.shape[0] == B * T:
        return mask.reshape(-1, 1).expand_as(o)
    if o.dim() == 1 and o.shape[0] == B * T:
        return mask.reshape(-1)
    return None


def relative_change(a: torch.Tensor, b: torch.Tensor) -> float | None:
    a, b = a.detach().float(), b.detach().float()
    if a.numel() == 0 or not (bool(torch.isfinite(a).all()) and bool(torch.isfinite(b).all())):
        return None
    scale = float(a.abs().mean())
    return float((a - b).abs().mean()) / scale if scale > 0 else None


ATTENTION_ARGS = (
    # (module type, keyword, position in the call)
    (nn.Transformer, "src_key_padding_mask", 5),
    (nn.TransformerEncoder, "src_key_padding_mask", 2),
    (nn.TransformerEncoderLayer, "src_key_padding_mask", 2),
    (nn.TransformerDecoderLayer, "tgt_key_padding_mask", 4),
    (nn.MultiheadAttention, "key_padding_mask", 3),
)


def attention_layers(model: nn.Module) -> int:
    return sum(1 for m in model.modules() if isinstance(m, nn.MultiheadAttention)
               or ("Attention" in type(m).__name__ and any(True for _ in m.parameters())))


class MaskReader:
    """Reads the first key-padding mask handed to one of PyTorch's attention
    modules during a forward pass, as a bool mask where True = ignored."""

    def __init__(self, model: nn.Module):
        self.model, self.mask, self.handles = model, None, []

    def __enter__(self) -> "MaskReader":
        for m in self.model.modules():
            for kind, keyword, index in ATTENTION_ARGS:
                if type(m) is kind:
                    self.handles.append(m.register_forward_pre_hook(self._reader(keyword, index), with_kwargs=True))
                    break
        return self

    def _reader(self, keyword: str, index: int):
        def read(module, args, kwargs):
            if self.mask is not None:
                return None
            mask = kwargs.get(keyword)
            if mask is None and len(args) > index:
                mask = args[index]
            if isinstance(mask, torch.Tensor) and mask.dim() == 2:
                if mask.dtype == torch.bool:
                    self.mask = mask.detach().cpu()
                elif mask.is_floating_point():
                    # An additive mask: -inf (or a huge negative number) hides; 0 or 1 hides nothing.
                    self.mask = (mask.detach().float().cpu() <= -1e4)
                else:
                    self.mask = mask.detach().cpu() != 0
            return None
        return read

    def __exit__(self, *exc) -> bool:
        for handle in self.handles:
            handle.remove()
        return False


class SequenceProbe(Probe):
    name = "sequence"
    title = {"en": "Padding and attention masks", "ja": "パディングとアテンションマスク"}
    budgets = {"fast": Budget(8, 3.0), "full": Budget(8, 10.0)}
    observations = DECLARED["sequence"]

    def applies(self, harness: Harness) -> str | None:
        inputs, targets = harness.batches[0]
        if target_padding(harness, targets) is None and find_ids(inputs) is None:
            return "no_padding"
        return None

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        out = Output()
        obs = out.observations
        inputs, targets = h.batches[0]
        model = h.fresh_model()
        model.eval()
        obs["attention_layers"] = attention_layers(model)
        with torch.no_grad():
            torch.manual_seed(ctx.seed)
            with MaskReader(model) as reader:
                outputs = h.forward(model, inputs)
            padded = target_padding(h, targets)
            if padded is not None:
                value, mask, source = padded
                obs["padding_value"], obs["padding_source"] = value, source
                obs["padding_fraction"] = float(mask.float().mean())
                share = self._loss_share(h, outputs, targets, mask, ctx.seed)
                if share is not None:
                    obs["padding_loss_share"] = share
            ctx.check(0.4, "padding in the loss")
            ids = find_ids(inputs)
            if ids is not None:
                key, tokens, pad_value, pad = ids
                obs.setdefault("padding_fraction", float(pad.float().mean()))
                obs["input_padding_fraction"] = float(pad.float().mean())
                if reader.mask is not None and tuple(reader.mask.shape) == tuple(pad.shape):
                    ignored = reader.mask
                    obs["mask_ignores_real"] = float(ignored[~pad].float().mean())
                    obs["mask_ignores_padding"] = float(ignored[pad].float().mean())
                if obs["attention_layers"]:
                    self._influence(h, model, inputs, outputs, key, tokens, pad, obs, ctx.seed)
        return out

    @staticmethod
    def _loss_share(h: Harness, outputs: Any, targets: torch.Tensor, mask: torch.Tensor, seed: int) -> float | None:
        """The loss's change per padding position over its change per real
        position, when the outputs move at those positions only."""
        o = main_output(outputs)
        if o is None or not o.is_floating_point() or targets.dim() != 2:
            return None
        pad_at, real_at = positions(o, mask), positions(o, ~mask)
        if pad_at is None or not bool(pad_at.any()) or not bool(real_at.any()):
            return None
        try:
            base = float(h.loss(outputs, targets))
        except Exception:
            return None
        if not math.isfinite(base):
            return None
        gen = torch.Generator().manual_seed(seed)
        scale = float(o.detach().float().std()) + 1.0
        moved = {}
        for name, where in (("pad", pad_at), ("real", real_at)):
            total = 0.0
            for _ in range(DRAWS):
                noise = torch.randn(o.shape, generator=gen).to(o.device, o.dtype) * scale
                changed = with_main_output(outputs, torch.where(where, o + noise, o))
                if changed is None:
                    return None
                try:
                    value = float(h.loss(changed, targets))
                except Exception:
                    return None
                if not math.isfinite(value):
                    return None
                total += abs(value - base)
            moved[name] = total / DRAWS / float(where.float().sum())
        if moved["real"] <= 0:
            return None                 # the loss does not read these outputs (a loss computed inside the model)
        return moved["pad"] / moved["real"]

    @staticmethod
    def _influence(h: Harness, model: nn.Module, inputs: Any, outputs: Any, key: Any, tokens: torch.Tensor,
                   pad: torch.Tensor, obs: dict, seed: int) -> None:
        """How much the outputs at real positions move when only the padding
        tokens change, and when the other real tokens change."""
        base = main_output(outputs)
        if base is None or not base.is_floating_point():
            return
        real = ~pad
        pool = torch.unique(tokens.detach().cpu()[real])
        if pool.numel() < 2:
            return
        gen = torch.Generator().manual_seed(seed)

        def replaced(where: torch.Tensor) -> torch.Tensor:
            draw = pool[torch.randint(0, pool.numel(), tokens.shape, generator=gen)].to(tokens.device, tokens.dtype)
            return torch.where(where.to(tokens.device), draw, tokens)

        def at(o: torch.Tensor, where: torch.Tensor) -> torch.Tensor:
            laid = positions(o, where)
            if laid is not None:
                return o[laid]
            return o                            # one output per sequence: all of it

        # Padding changed: outputs at real positions.
        moved = main_output(h.forward(model, replace_input(inputs, key, replaced(pad))))
        if isinstance(moved, torch.Tensor) and moved.shape == base.shape:
            change = relative_change(at(base, real), at(moved, real))
            if change is not None:
                obs["padding_influence"] = change
        # Real tokens changed except each row's last real one: the output
        # there. Only for an output per position: which position a pooled
        # output reads (a CLS token, a mean) is the model's own business.
        if positions(base, real) is None:
            return
        lengths = real.long().sum(1)
        rows = lengths >= 2
        if not bool(rows.any()):
            return
        last = torch.zeros_like(real)
        last[torch.arange(real.shape[0])[rows], lengths[rows] - 1] = True
        others = real & ~last & rows[:, None]
        moved = main_output(h.forward(model, replace_input(inputs, key, replaced(others))))
        if isinstance(moved, torch.Tensor) and moved.shape == base.shape:
            change = relative_change(at(base, last), at(moved, last))
            if change is not None:
                obs["context_influence"] = change
