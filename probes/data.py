"""Data statistics: scale, non-finite values, targets, classes and order.

Diagnoses (through the knowledge base): inputs_not_normalized,
nonfinite_data, invalid_targets, class_imbalance, data_not_shuffled.
Requires only train_data. It runs a copy of the model only up to its first
weight layer: the input scale that matters is the one that layer sees, and
a model may standardise its inputs itself (see first_layer_input).
"""
from __future__ import annotations

import math
import random
from typing import Any

import torch
from torch import nn

from loss_advisor.core.kb import threshold
from loss_advisor.probes.base import Budget, Context, Output, Probe
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probes.gradients import WEIGHT_LAYERS
from loss_advisor.probing.harness import Harness, batch_len, first_tensor

# A feature's scale is the SPREAD_QUANTILE quantile of its absolute
# deviations from its median: how far it typically strays when it does
# vary. Standard deviations would not do: a pixel that lights up once in a
# hundred images has a tiny one yet the same scale as any other pixel,
# and centring the data would not change that.
SPREAD_QUANTILE = 0.99
MAX_SPREAD_ROWS = 4096
# Float targets holding this few whole numbers are class labels (MSE on class
# labels, a common mistake); inputs of whole numbers up to 255 shaped like
# images are raw pixels (values and reasons: knowledge/thresholds.yaml).
MIN_CATEGORICAL = threshold("targets.categorical_min_values")
MAX_CATEGORICAL = threshold("targets.categorical_max_values")
RAW_PIXEL_MIN_MAX = threshold("data.raw_pixel_min_max")
RAW_PIXEL_MAX = threshold("data.raw_pixel_max")
RAW_PIXEL_MIN_FEATURES = threshold("data.raw_pixel_min_features")


def float_inputs(inputs: Any) -> torch.Tensor | None:
    """The first floating-point tensor among the inputs (None for index inputs)."""
    tensors = list(inputs.values()) if isinstance(inputs, dict) else (
        list(inputs) if isinstance(inputs, (list, tuple)) else [inputs])
    for t in tensors:
        if isinstance(t, torch.Tensor) and t.is_floating_point():
            return t
    return None


class _Reached(Exception):
    """Stops the forward pass once the first weight layer has its input."""


def first_layer_input(h: Harness, inputs: Any) -> torch.Tensor | None:
    """The input of the first weight layer (Linear, Conv, RNN, Embedding...) the
    model runs, on a copy of the model in the mode it was handed over (an
    input BatchNorm left in eval mode with fresh running statistics scales
    nothing, and training will not change that unless the loop calls
    model.train()), with Dropout off and no gradients; the forward pass stops
    there. None when there is no such layer, its input is not one tensor, or
    the model fails before it."""
    try:
        model = h.fresh_model(keep_mode=True)
    except Exception:
        return None
    for m in model.modules():
        if isinstance(m, nn.modules.dropout._DropoutNd):
            m.eval()
    layers = [m for m in model.modules() if isinstance(m, WEIGHT_LAYERS + (nn.Embedding,))]
    if not layers:
        return None
    seen: list[Any] = []

    def reached(module: nn.Module, args: tuple) -> None:
        seen.append(args[0] if args else None)
        raise _Reached

    handles = [m.register_forward_pre_hook(reached) for m in layers]
    try:
        with torch.no_grad():
            h.forward(model, inputs)
    except _Reached:
        pass
    except Exception:
        return None
    finally:
        for handle in handles:
            handle.remove()
    value = seen[0] if seen else None
    return value.detach() if isinstance(value, torch.Tensor) else None


def in_model_view(x: torch.Tensor, seen: torch.Tensor | None) -> torch.Tensor | None:
    """The inputs as the first weight layer sees them, in the shape of `x`, when
    the model changed their values on the way (standardisation inside forward,
    a division by 255, an input BatchNorm); None when it did not (the same
    values, or the same values reshaped or reordered) or when that layer sees
    something else (another number of values: an embedding, another input).
    A cast to another floating dtype alone is no change either."""
    if seen is None or not seen.is_floating_point() or seen.dim() == 0 or seen.shape[0] < x.shape[0]:
        return None
    seen = seen[:x.shape[0]]
    if seen.numel() != x.numel():
        return None
    # NaN never equals itself: compare with non-finite values replaced alike;
    # a cast to the model's dtype (bf16, fp16) rounds the values, scales nothing.
    a = torch.nan_to_num(x.detach().to(seen.dtype).float().flatten())
    b = torch.nan_to_num(seen.detach().float().flatten().to(x.device))
    if torch.equal(a, b) or torch.equal(a.sort().values, b.sort().values):
        return None
    return seen.detach().float().to(x.device).reshape(x.shape)


def feature_matrix(x: torch.Tensor) -> torch.Tensor:
    """[examples, features]: columns for tables, channels for images, the smaller axis for sequences."""
    x = x.detach().float()
    if x.dim() == 1:
        return x.reshape(-1, 1)
    if x.dim() == 2:
        return x
    if x.dim() == 3:
        axis = 1 if x.shape[1] <= x.shape[2] else 2
        return x.movedim(axis, -1).reshape(-1, x.shape[axis])
    return x.movedim(1, -1).reshape(-1, x.shape[1])


def feature_spread(feats: torch.Tensor) -> torch.Tensor:
    """Per feature, the SPREAD_QUANTILE quantile of |x - median(x)| (0 when it barely varies)."""
    rows = feats[:MAX_SPREAD_ROWS].float()
    deviation = (rows - rows.median(0).values).abs()
    return torch.quantile(deviation, SPREAD_QUANTILE, dim=0)


def grouping_score(groups: list[list[Any]], numeric: bool, rng: random.Random) -> float | None:
    """How much more alike examples within a batch are than chance: 0 random, 1 fully grouped.

    Classes: one minus the batches' mean label entropy relative to the same
    statistic for the same labels dealt into batches at random. Numbers: the
    share of target variance between batches, rescaled so that the random
    expectation is 0 and perfectly sorted data is 1.
    """
    sizes = [len(g) for g in groups]
    flat = [v for g in groups for v in g]
    # Single-example batches have nothing within them to compare.
    if len(groups) < 4 or len(set(flat)) < 2 or sorted(sizes)[len(sizes) // 2] < 2:
        return None

    def stat(gs: list[list[Any]]) -> float:
        if numeric:
            mean = sum(flat) / len(flat)
            total = sum((v - mean) ** 2 for v in flat)
            between = sum(len(g) * (sum(g) / len(g) - mean) ** 2 for g in gs if g)
            return between / total if total > 0 else 0.0
        ent = 0.0
        for g in gs:
            counts: dict[Any, int] = {}
            for v in g:
                counts[v] = counts.get(v, 0) + 1
            ent += -sum(c / len(g) * math.log(c / len(g)) for c in counts.values())
        return ent / len(gs)

    observed = stat(groups)
    shuffled_stats = []
    for _ in range(8):
        perm = flat[:]
        rng.shuffle(perm)
        it = iter(perm)
        shuffled_stats.append(stat([[next(it) for _ in range(n)] for n in sizes]))
    expected = sum(shuffled_stats) / len(shuffled_stats)
    if numeric:
        return max(0.0, min(1.0, (observed - expected) / (1.0 - expected))) if expected < 0.999 else None
    return max(0.0, min(1.0, 1.0 - observed / expected)) if expected > 0 else None


# PyTorch's default ignore_index (CrossEntropyLoss, NLLLoss, F.cross_entropy)
# and the label Hugging Face pads with: class-index targets of this value are
# padding, not classes, unless the target or the loss names another value.
DEFAULT_IGNORE_INDEX = -100


def padding_value(target: Any) -> int:
    """The class-index target value that marks padding: the target's
    ignore_index, else the loss module's, else PyTorch's default."""
    declared = getattr(target, "ignore_index", None)
    if isinstance(declared, int):
        return declared
    from_loss = getattr(getattr(target, "loss_fn", None), "ignore_index", None)
    return from_loss if isinstance(from_loss, int) else DEFAULT_IGNORE_INDEX


def targets_info(targets: torch.Tensor, ignore_index: int | None = None) -> dict[str, Any]:
    t = targets.detach()
    info: dict[str, Any] = {"target_dtype": str(t.dtype).replace("torch.", "")}
    finite = torch.isfinite(t.float())
    info["target_nonfinite_fraction"] = float((~finite).float().mean()) if t.numel() else 0.0
    if not t.is_floating_point():
        kind = "class_index"
        values = t.flatten()
        if ignore_index is not None:
            values = values[values != ignore_index]     # padding positions are no class
        info["target_min"] = int(values.min()) if values.numel() else 0
        info["target_max"] = int(values.max()) if values.numel() else 0
    else:
        tf = t[finite] if finite.any() else t.flatten()[:0]
        integral = bool(tf.numel()) and bool(torch.all(tf == tf.round()))
        unique = torch.unique(tf) if tf.numel() else tf
        rows_simplex = (t.dim() == 2 and t.shape[1] > 1 and bool(finite.all())
                        and bool(torch.all(t >= 0)) and bool(torch.allclose(t.sum(1), torch.ones(t.shape[0]), atol=1e-3)))
        if rows_simplex:
            kind = "probabilities"
        elif integral and unique.numel() <= 2 and bool(torch.all((unique == 0) | (unique == 1))):
            kind = "binary"
        elif integral and MIN_CATEGORICAL <= unique.numel() <= MAX_CATEGORICAL and bool(torch.all(unique >= 0)):
            kind = "categorical_float"
        else:
            kind = "continuous"
        if tf.numel():
            info["target_rms"] = float(tf.float().pow(2).mean().sqrt())
            info["target_std"] = float(tf.float().std()) if tf.numel() > 1 else 0.0
    info["target_kind"] = kind
    return info


class DataProbe(Probe):
    name = "data"
    title = {"en": "Data statistics", "ja": "データの統計"}
    budgets = {"fast": Budget(0, 3.0), "full": Budget(0, 10.0)}
    observations = DECLARED["data"]

    # The watch measures the first weight layer's inputs during the run and
    # hands them over here (the probe's own model is a stand-in there).
    seen_inputs: torch.Tensor | None = None
    run_model = True

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        out = Output()
        obs = out.observations
        inputs, targets = h.examples()
        n = batch_len(inputs)
        obs["examples"] = n

        x = float_inputs(inputs)
        first = first_tensor(inputs)
        obs["input_is_index"] = x is None and first is not None and not first.is_floating_point()
        if x is not None:
            xf = x.detach().float()
            finite = torch.isfinite(xf)
            obs["input_nonfinite_fraction"] = float((~finite).float().mean())
            # Scale is judged as the first weight layer sees the inputs: a model
            # that standardises them itself has normalised inputs (knowledge/tree.yaml,
            # q_input_scale, input_scale_normalized_in_model).
            seen = self.seen_inputs if self.seen_inputs is not None else (
                first_layer_input(h, inputs) if self.run_model else None)
            view = in_model_view(x, seen)
            obs["input_scaled_in_model"] = view is not None
            if view is not None:
                xf = view
                finite = torch.isfinite(xf)
            clean = torch.where(finite, xf, torch.zeros_like(xf))
            obs["input_rms"] = float(clean.pow(2).mean().sqrt())
            obs["input_abs_max"] = float(clean.abs().max())
            integral = bool(torch.all(clean == clean.round()))
            obs["raw_pixels"] = bool(integral and float(clean.min()) >= 0 and RAW_PIXEL_MIN_MAX < float(clean.max()) <= RAW_PIXEL_MAX
                                     and (x.dim() >= 3 or x.shape[-1] >= RAW_PIXEL_MIN_FEATURES))
            feats = feature_matrix(clean)
            obs["features"] = int(feats.shape[1])
            spread = feature_spread(feats)
            spread = spread[spread > 0]
            if spread.numel() >= 2:
                obs["feature_scale_ratio"] = float(spread.max() / spread.min())
            out.details["feature_rms"] = [round(float(v), 6) for v in feats.pow(2).mean(0).sqrt()[:256]]
            out.details["feature_scale"] = [round(float(v), 6) for v in feature_spread(feats)[:256]]
        elif first is not None and first.is_floating_point() is False:
            obs["input_nonfinite_fraction"] = 0.0

        if isinstance(targets, torch.Tensor):
            info = targets_info(targets, padding_value(h.target))
            for key in ("target_kind", "target_nonfinite_fraction", "target_rms", "target_min"):
                if key in info:
                    obs[key] = info[key]
            out.details["target_dtype"] = info["target_dtype"]
            out.details["target_shape"] = list(targets.shape[1:])
            self.classes_and_order(ctx, info["target_kind"], obs, out)
        obs["sampler_shuffles"] = self.sampler_shuffles(h.target.train_data)
        size = self._dataset_size(h)
        if size:
            obs["train_examples"] = size
            trainable = sum(p.numel() for p in h.model.parameters() if p.requires_grad)
            obs["params_per_example"] = trainable / size
        obs["same_order_each_pass"] = self._same_order(ctx)
        return out

    def classes_and_order(self, ctx: Context, kind: str, obs: dict, out: Output) -> None:
        """One pass over the whole of train_data (targets only, time-capped):
        class counts and imbalance, and how grouped the batches are. The
        watch mode calls it on the batches a script drew."""
        h = ctx.harness
        categorical = kind in ("class_index", "binary", "categorical_float")
        padding = padding_value(h.target) if kind == "class_index" else None
        groups: list[list[Any]] = []
        counts: dict[int, int] = {}
        for _, targets in h.stream(limit_epochs=1):
            if not isinstance(targets, torch.Tensor):
                return
            t = targets.detach().flatten().cpu()
            if kind == "probabilities":
                t = targets.detach().argmax(1).cpu()
                categorical = True
            if categorical:
                values = [int(v) for v in t.round().long().tolist()] if t.is_floating_point() else t.tolist()
                if padding is not None:
                    values = [v for v in values if v != padding]
                if targets.dim() == 1 or kind == "probabilities":
                    groups.append(values)
                for v in values:
                    counts[v] = counts.get(v, 0) + 1
            elif targets.dim() <= 2 and (targets.dim() == 1 or targets.shape[1] == 1):
                groups.append([float(v) for v in t.tolist()])
            if ctx.out_of_time() or len(groups) >= 2000:
                out.notes.append("class counts and order cover part of train_data (time cap)")
                break
        if counts:
            obs["num_classes"] = len(counts)
            if len(counts) >= 2:
                obs["imbalance_ratio"] = max(counts.values()) / min(counts.values())
                obs["minority_fraction"] = min(counts.values()) / sum(counts.values())
            out.details["class_counts"] = {str(k): v for k, v in sorted(counts.items())}
        score = grouping_score(groups, numeric=not categorical, rng=random.Random(ctx.seed))
        if score is not None:
            obs["order_grouping"] = round(score, 4)

    @staticmethod
    def _dataset_size(h) -> int | None:
        dataset = getattr(h.target.train_data, "dataset", None)
        try:
            if dataset is not None:
                return len(dataset)
            if isinstance(h.target.train_data, (list, tuple)):
                return sum(batch_len(h.split(b)[0]) for b in h.target.train_data)
        except Exception:
            return None
        return None

    @staticmethod
    def sampler_shuffles(data: Any) -> bool | None:
        sampler = getattr(data, "sampler", None)
        batch_sampler = getattr(data, "batch_sampler", None)
        if batch_sampler is not None and not (isinstance(batch_sampler, torch.utils.data.BatchSampler)
                                              and batch_sampler.sampler is sampler):
            # A loader built with its own batch_sampler keeps a SequentialSampler
            # as `.sampler` that draws nothing: the order is the batch sampler's
            # (accelerate's loaders, hence the Hugging Face Trainer, shuffle in
            # batch_sampler.sampler and leave .sampler sequential).
            sampler = getattr(batch_sampler, "sampler", None)
        if sampler is None:
            return None
        if isinstance(sampler, torch.utils.data.RandomSampler):
            return True
        if isinstance(sampler, torch.utils.data.SequentialSampler):
            return False
        return None

    def _same_order(self, ctx: Context) -> bool | None:
        h = ctx.harness
        if len(h.batches) < 2:
            return None
        again = []
        for batch in h.stream(limit_epochs=1):
            again.append(batch)
            if len(again) >= min(3, len(h.batches)):
                break
        for (a_in, a_t), (b_in, b_t) in zip(h.batches, again):
            ta, tb = first_tensor(a_in), first_tensor(b_in)
            if ta is None or tb is None or ta.shape != tb.shape or not torch.equal(ta, tb):
                return False
        return True
