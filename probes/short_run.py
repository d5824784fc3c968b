"""A short training run with the user's own settings and the reference loop.

It records the training loss every step and the validation loss at fixed
intervals, then reads the curve (loss_advisor.core.curves): non-finite values,
divergence, a real but slow fall, a plateau, validation turning up. After
the run it measures per-class recall (a minority class the model never
predicts) and dead ReLU units (killed by training).

Diagnoses (through the knowledge base): overfitting, underfitting,
actually_decreasing, lr_too_high, class_imbalance, dead_relu, and the
symptom questions at the root of the tree.
"""
from __future__ import annotations

import math
from typing import Any

import torch

from loss_advisor.probes.base import Budget, Context, Output, Probe
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probes.gradients import (ActivationRecorder, end_layers, movement_ratio, relative_gradient_ratio,
                                          stats_batch, weights_at)
from loss_advisor.probes.init_loss import main_output
from loss_advisor.core import curves
from loss_advisor.core.records import Curve
from loss_advisor.probing.harness import Harness, batch_len

# Validation points per run: enough for the minimum and a rise after it to
# stand out from evaluation noise.
VAL_POINTS = 25
START_BATCHES = 8


@torch.no_grad()
def class_recall(h: Harness, model: torch.nn.Module, batches: list) -> dict[str, Any] | None:
    """Per-class recall and the share of predictions given to the commonest class."""
    if not batches:
        return None
    was = model.training
    model.eval()
    preds, truth = [], []
    try:
        for inputs, targets in batches:
            o = main_output(h.forward(model, inputs))
            if o is None or not isinstance(targets, torch.Tensor):
                return None
            if o.dim() == 2 and o.shape[1] >= 2 and targets.dim() == 1 and not targets.is_floating_point():
                preds.append(o.argmax(1))
                truth.append(targets)
            elif o.numel() == targets.numel() and targets.is_floating_point() and \
                    bool(torch.all((targets == 0) | (targets == 1))):
                # A single output per example: a logit, or a probability after a sigmoid.
                flat = o.reshape(-1)
                cut = 0.5 if bool(((flat >= 0) & (flat <= 1)).all()) else 0.0
                preds.append((flat > cut).long())
                truth.append(targets.reshape(-1).long())
            else:
                return None
    finally:
        model.train(was)
    p, t = torch.cat(preds).cpu(), torch.cat(truth).cpu()
    classes = sorted(set(t.tolist()))
    if len(classes) < 2:
        return None
    recall = {c: float(((p == c) & (t == c)).sum()) / max(1, int((t == c).sum())) for c in classes}
    counts = {c: int((t == c).sum()) for c in classes}
    rare = min(classes, key=lambda c: counts[c])
    common = max(classes, key=lambda c: counts[c])
    return {
        "recall": recall, "counts": counts,
        "min_class_recall": min(recall.values()),
        "minority_recall": recall[rare],
        "majority_recall": recall[common],
        "accuracy": float((p == t).float().mean()),
        "balanced_accuracy": sum(recall.values()) / len(recall),
        "majority_prediction_share": float((p == common).float().mean()),
    }


class ShortRunProbe(Probe):
    name = "short_run"
    title = {"en": "Short training run", "ja": "短い学習実行"}
    budgets = {"fast": Budget(300, 6.0), "full": Budget(1500, 60.0)}
    observations = DECLARED["short_run"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        model = h.fresh_model()
        opt = h.build_optimizer(model).optimizer
        val_examples = sum(batch_len(b[0]) for b in h.val_batches)
        steps = ctx.plan(max(30, ctx.budget.steps), minimum=10, extra_examples=VAL_POINTS * val_examples)
        eval_every = max(1, steps // VAL_POINTS) if h.val_batches else 0

        def tick(i: int) -> bool:
            ctx.check((i + 1) / steps, f"step {i + 1}/{steps}")
            return ctx.out_of_time()

        start_level = self._start_level(h, model)
        # The two end layers' weights, to see whether the first layers learn
        # at all during the run (knowledge/tree.yaml, grad_flow_vanishing_in_training).
        ends = end_layers(model)
        ends_before = weights_at(ends) if ends is not None else None
        run = h.train(model, opt, steps, eval_every=eval_every, tick=tick, grad_norms=True)
        out = Output()
        analysis = curves.analyse(run.steps, run.losses,
                                  run.val_steps if h.val_batches else None,
                                  run.val_losses if h.val_batches else None,
                                  start_level=start_level)
        out.observations.update({f"curve.{k}": v for k, v in analysis.observations.items()})
        out.observations["steps"] = len(run.losses)
        norms = [g for g in run.grad_norms if math.isfinite(g)]
        if len(norms) >= 10:
            head = sorted(norms[: max(3, len(norms) // 10)])
            tail = sorted(norms[-max(3, len(norms) // 5):])
            start = head[len(head) // 2]
            if start > 0:
                out.observations["grad_growth"] = tail[len(tail) // 2] / start
                out.observations["grad_spike"] = max(norms) / start
        out.observations["grad_nonfinite"] = len(norms) < len(run.grad_norms) and all(
            math.isfinite(v) for v in run.losses[: len(run.grad_norms)])
        if len(run.losses) < steps:
            out.notes.append(f"stopped after {len(run.losses)} of {steps} steps")
        if run.losses and math.isfinite(run.losses[-1]):
            recall_data = h.val_batches or h.batches
            recall = class_recall(h, model, recall_data)
            if recall:
                out.observations["recall_on"] = "val" if h.val_batches else "train"
                for key in ("min_class_recall", "minority_recall", "majority_recall", "accuracy",
                            "balanced_accuracy", "majority_prediction_share"):
                    out.observations[key] = recall[key]
                out.details["recall"] = {str(k): v for k, v in recall["recall"].items()}
            try:
                batch = stats_batch(h, model)
            except Exception:
                batch = h.batches[0]
            with torch.no_grad(), ActivationRecorder(model) as rec:
                try:
                    h.batch_loss(model, batch)
                except Exception:
                    pass
            dead = rec.dead()
            if dead:
                out.observations["dead_unit_fraction"] = dead["dead_unit_fraction"]
            if ends is not None:
                moved = movement_ratio(ends, ends_before)
                if moved is not None:
                    out.observations["first_last_movement"] = moved
                try:
                    ratio = relative_gradient_ratio(h, model, batch)
                except Exception:
                    ratio = None
                if ratio is not None:
                    out.observations["first_last_ratio"] = ratio
        out.details["start_level"] = start_level
        out.details.update({"train": Curve(run.steps, {"losses": run.losses, "grad_norms": run.grad_norms}),
                            "val": Curve(run.val_steps, {"losses": run.val_losses}),
                            "curve": analysis.details})
        return out

    @staticmethod
    @torch.no_grad()
    def _start_level(h: Harness, model: torch.nn.Module) -> float | None:
        """The training loss before any update, in train mode, over the first
        few batches (the first batch alone is too noisy for small batches)."""
        values = []
        for batch in h.batches[:START_BATCHES]:
            try:
                values.append(float(h.batch_loss(model, batch)))
            except Exception:
                return None
        values = [v for v in values if math.isfinite(v)]
        return sorted(values)[len(values) // 2] if values else None
