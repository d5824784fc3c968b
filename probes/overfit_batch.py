"""Overfit one batch (Karpathy, "A Recipe for Training Neural Networks").

Train a copy of the model on one small fixed batch with the user's own
optimizer. A model, loss and data without bugs can memorise a handful of
examples. If the user's optimizer cannot, a reference optimizer (Adam at
1e-3, then 1e-2) tries: if it succeeds, the configuration is at fault
(learning rate, optimizer); if it also fails, the model, loss or data is.

Diagnoses (through the knowledge base): separates configuration problems
(lr_too_low, lr_too_high) from bugs (constant_loss,
output_activation_mismatch, inputs_ignored, params_not_updated) and from
too little capacity (underfitting).
"""
from __future__ import annotations

import math

import torch

from loss_advisor.core.kb import threshold
from loss_advisor.core.records import Curve
from loss_advisor.probes.base import Budget, Context, Output, Probe
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probing.harness import batch_len

# Examples in the batch: few enough that any model meant for the task can
# memorise them, enough to hold several classes.
BATCH_EXAMPLES = 16
# "Memorised": the loss fell to this share of where it started (the value
# and its reason: knowledge/thresholds.yaml).
FIT_RATIO = threshold("overfit_batch.fit_ratio")
REFERENCE_LRS = (1e-3, 1e-2)


class OverfitBatchProbe(Probe):
    name = "overfit_batch"
    title = {"en": "Overfit one batch", "ja": "1バッチへの過学習テスト"}
    budgets = {"fast": Budget(200, 5.0), "full": Budget(500, 20.0)}
    observations = DECLARED["overfit_batch"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        batch = h.fixed_batch(BATCH_EXAMPLES)
        out = Output()
        obs = out.observations
        obs["examples"] = batch_len(batch[0])
        # The user's optimizer, then (if it fails) the references: twice the steps.
        steps = ctx.plan(max(20, ctx.budget.steps // 2), examples=obs["examples"], runs=2, minimum=10)
        user_curve = self._fit(ctx, batch, steps, lr=None, share=0.5)
        obs["user_ratio"] = self._ratio(h, user_curve)
        out.details["user_curve"] = Curve(range(len(user_curve["losses"])), {"losses": user_curve["losses"]})
        if self._fits(obs["user_ratio"]):
            obs["outcome"] = "user"
            return out
        best = math.inf
        for i, lr in enumerate(REFERENCE_LRS):
            curve = self._fit(ctx, batch, steps // len(REFERENCE_LRS), lr=lr, share=0.25, reference=True, offset=0.5 + 0.25 * i)
            ratio = self._ratio(h, curve)
            if ratio < best:
                best = ratio
                out.details["reference_curve"] = Curve(range(len(curve["losses"])), {"losses": curve["losses"]})
                out.details["reference_lr"] = lr
            if self._fits(ratio):
                break
        obs["reference_ratio"] = best
        obs["outcome"] = "reference_only" if self._fits(best) else "neither"
        return out

    @staticmethod
    def _fits(ratio: float) -> bool:
        return math.isfinite(ratio) and ratio <= FIT_RATIO

    def _fit(self, ctx: Context, batch, steps: int, lr: float | None, share: float,
             reference: bool = False, offset: float = 0.0) -> dict:
        h = ctx.harness
        model = h.fresh_model()
        if reference:
            opt = torch.optim.Adam(model.parameters(), lr=lr)
        else:
            opt = h.build_optimizer(model).optimizer
        losses = []
        for i in range(steps):
            losses.append(h.train_step(model, opt, batch))
            if not math.isfinite(losses[-1]):
                break
            ctx.check(offset + share * (i + 1) / steps, "reference Adam" if reference else "your optimizer")
            if ctx.out_of_time():
                break
        final = h.eval_loss(model, [batch]) if math.isfinite(losses[-1]) else math.nan
        return {"losses": losses, "final": final}

    @staticmethod
    def _ratio(h, curve: dict) -> float:
        losses = curve["losses"]
        if not losses or not math.isfinite(losses[0]) or losses[0] <= 0:
            return math.nan
        start = losses[0]
        tail = losses[-5:]
        train_end = sum(tail) / len(tail) if all(math.isfinite(v) for v in tail) else math.inf
        end = min(train_end, curve["final"]) if math.isfinite(curve["final"]) else train_end
        return end / start if math.isfinite(end) else math.inf
