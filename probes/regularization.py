"""Regularisation ablation: is the model held back by its own regularisation?

A copy of the model trains as configured, and another copy trains with
weight decay set to zero and Dropout switched off, from the same weights,
on the same examples, with the user's optimizer otherwise unchanged. If
lifting the regularisation lowers both the training and the held-out loss
a lot within the run, the regularisation is too strong for the model and
data: underfitting by over-regularisation (weight decay of 0.1 with Adam,
Dropout(0.6) on a narrow layer). Moderate regularisation changes little
in a short run, or helps the held-out loss.

Diagnoses (through the knowledge base): underfitting.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probes.input_baseline import HOLDOUT_EXAMPLES, TRAIN_EXAMPLES, split_sample
from loss_advisor.probing.harness import Harness, batch_len


def has_dropout(model: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.dropout._DropoutNd) and m.p > 0 for m in model.modules())


class RegularizationProbe(Probe):
    name = "regularization"
    title = {"en": "Regularisation ablation", "ja": "正則化を外した比較"}
    budgets = {"fast": Budget(400, 5.0), "full": Budget(1200, 20.0)}
    observations = DECLARED["regularization"]

    def applies(self, harness: Harness) -> str | None:
        model = harness.fresh_model()
        opt = harness.build_optimizer(model).optimizer
        decay = max((float(g.get("weight_decay", 0) or 0) for g in opt.param_groups), default=0.0)
        return None if decay > 0 or has_dropout(model) else "no_regularisation"

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        train, holdout = split_sample(h, ctx.seed, TRAIN_EXAMPLES * 2, HOLDOUT_EXAMPLES)
        steps = ctx.plan(max(40, ctx.budget.steps // 2), examples=batch_len(train[0][0]), runs=2, minimum=10)
        out = Output()
        obs = out.observations
        results = {}
        for k, lifted in enumerate((False, True)):
            torch.manual_seed(ctx.seed)
            model = h.fresh_model()
            opt = h.build_optimizer(model).optimizer
            if k == 0:
                obs["weight_decay"] = max(float(g.get("weight_decay", 0) or 0) for g in opt.param_groups)
                obs["dropout"] = max((m.p for m in model.modules()
                                      if isinstance(m, nn.modules.dropout._DropoutNd)), default=0.0)
            # The model may be the user's own (probes work in place): the
            # Dropout rates set to zero are put back whatever happens.
            rates = {m: m.p for m in model.modules() if isinstance(m, nn.modules.dropout._DropoutNd)}
            try:
                if lifted:
                    for g in opt.param_groups:
                        if "weight_decay" in g:
                            g["weight_decay"] = 0.0
                    for m in rates:
                        m.p = 0.0
                for i in range(steps):
                    loss = h.train_step(model, opt, train[i % len(train)])
                    if not math.isfinite(loss):
                        raise ProbeSkipped("nonfinite_comparison")
                    ctx.check((k + (i + 1) / steps) / 2, "as configured" if k == 0 else "without regularisation")
                    if ctx.out_of_time():
                        break
                results[k] = (h.eval_loss(model, train), h.eval_loss(model, holdout))
            finally:
                for m, rate in rates.items():
                    m.p = rate
        (train_reg, held_reg), (train_free, held_free) = results[0], results[1]
        if not all(math.isfinite(v) and v > 0 for v in (train_reg, held_reg)):
            raise ProbeSkipped("nonfinite_comparison")
        obs["train_gain"] = 1 - train_free / train_reg
        obs["heldout_gain"] = 1 - held_free / held_reg
        out.details["losses"] = {"train": [train_reg, train_free], "holdout": [held_reg, held_free]}
        return out
