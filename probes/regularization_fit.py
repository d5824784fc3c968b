"""Over-regularisation: can the model fit one small batch with its own weight
decay and Dropout, and without them?

The overfit-one-batch experiment (Karpathy's recipe) run twice with the
user's optimizer, from the same weights, on the same 16 examples: as
configured, then with every param group's weight decay set to 0 and every
Dropout's p set to 0, nothing else changed. A model meant for the task
memorises a handful of examples; when it cannot as configured but can
with the regularisation lifted, the regularisation alone is what keeps the
training loss up (Dropout(0.9) written as a keep-probability, AdamW with
weight_decay=10).

The loss compared is the batch's loss in eval mode (Dropout off), before
and after: the training-mode loss of a model with Dropout stays noisy by
design, and what matters is whether the weights learned the batch.
Weight decay that removes a fixed share of every weight per step (AdamW,
SGD) also gets its rate per step, lr x weight_decay: the weights forget
what they learned with a half-life of about 0.7 / (lr x wd) steps.

The model is the one the harness hands out (the user's own, in place, when
the runner holds a snapshot; a copy otherwise); the Dropout rates this
probe sets to zero are put back in `finally`, the weights by the snapshot.

Diagnoses (through the knowledge base): over_regularized.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from loss_advisor.core.records import Curve
from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probes.overfit_batch import BATCH_EXAMPLES
from loss_advisor.probing.harness import Harness, batch_len

def dropouts(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, nn.modules.dropout._DropoutNd)]


def max_weight_decay(opt: torch.optim.Optimizer) -> float:
    return max((float(g.get("weight_decay", 0) or 0) for g in opt.param_groups), default=0.0)


class RegularizationFitProbe(Probe):
    name = "regularization_fit"
    title = {"en": "One batch with and without regularisation", "ja": "正則化あり・なしでの1バッチ学習"}
    budgets = {"fast": Budget(200, 5.0), "full": Budget(500, 20.0)}
    observations = DECLARED["regularization_fit"]

    def applies(self, harness: Harness) -> str | None:
        try:
            decay = max_weight_decay(harness.build_optimizer(harness.model).optimizer)
        except Exception:
            decay = 0.0
        has_dropout = any(m.p > 0 for m in dropouts(harness.model))
        return None if decay > 0 or has_dropout else "no_regularisation"

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        batch = h.fixed_batch(BATCH_EXAMPLES)
        out = Output()
        obs = out.observations
        obs["examples"] = batch_len(batch[0])
        steps = max(20, ctx.budget.steps // 2)
        for k, lifted in enumerate((False, True)):
            before, losses, after = self._fit(ctx, batch, steps, lifted, obs, offset=k / 2)
            steps = len(losses)          # the same number of steps for both: a fair comparison
            if not (math.isfinite(before) and before > 0) or not losses:
                raise ProbeSkipped("nonfinite_comparison")
            obs["lifted_ratio" if lifted else "ratio"] = after / before if math.isfinite(after) else math.inf
            out.details["lifted_curve" if lifted else "curve"] = Curve(range(len(losses)), {"losses": losses})
        return out

    @staticmethod
    def _fit(ctx: Context, batch, steps: int, lifted: bool, obs: dict,
             offset: float) -> tuple[float, list[float], float]:
        """The batch's loss in eval mode before and after `steps` training
        steps, and the training losses on the way."""
        h = ctx.harness
        torch.manual_seed(ctx.seed)
        model = h.fresh_model()
        opt = h.build_optimizer(model).optimizer
        rates = {m: m.p for m in dropouts(model)}
        if not lifted:
            obs["weight_decay"] = max_weight_decay(opt)
            obs["dropout_max"] = max(rates.values(), default=0.0)
            obs["dropout_min"] = min(rates.values(), default=0.0)
            decay = decay_per_step(opt)
            if decay is not None:
                obs["decay_per_step"] = decay
        losses: list[float] = []
        try:
            if lifted:
                for g in opt.param_groups:
                    if "weight_decay" in g:
                        g["weight_decay"] = 0.0
                for m in rates:
                    m.p = 0.0
            before = h.eval_loss(model, [batch])
            for i in range(steps):
                losses.append(h.train_step(model, opt, batch))
                if not math.isfinite(losses[-1]):
                    break
                ctx.check(offset + (i + 1) / steps / 2, "without regularisation" if lifted else "as configured")
                if not lifted and ctx.elapsed() >= ctx.budget.seconds / 2:
                    break                # half the budget each
            after = h.eval_loss(model, [batch]) if math.isfinite(losses[-1]) else math.nan
        finally:
            for m, rate in rates.items():
                m.p = rate
        return before, losses, after


def decay_per_step(opt: torch.optim.Optimizer) -> float | None:
    """The share of every weight that weight decay removes per step, apart
    from the gradient: lr x weight_decay for decoupled decay (AdamW) and for
    SGD, whose L2 term w <- w - lr*wd*w is the same shrink. None for
    optimizers that rescale the L2 term with the gradient (Adam, RMSprop),
    where no such fixed rate exists."""
    decoupled = isinstance(opt, (torch.optim.AdamW, torch.optim.SGD)) or any(
        g.get("decoupled_weight_decay") for g in opt.param_groups)
    if not decoupled:
        return None
    rates = [float(g.get("lr", 0) or 0) * float(g.get("weight_decay", 0) or 0) for g in opt.param_groups]
    return max(rates, default=0.0)
