"""Audit the user's own training step against the reference step.

When the target gives ``train_step(model, batch, optimizer, loss_fn)``,
it runs for a few calls on real batches with a LoopMonitor attached (the
optimizer, the gradients and the forward pass are instrumented; the
user's source is never read), and its progress is compared with the
reference step (train mode, zero_grad, forward, loss, backward, step) on
the same batches from the same starting weights.

Diagnoses (through the knowledge base): missing_zero_grad,
step_before_backward, eval_mode_during_training, device_mismatch (an
error raised inside the step), params_not_updated (a step that never
calls optimizer.step), and "the loop, not the model, is at fault".
"""
from __future__ import annotations

import math

from loss_advisor.probes.base import Budget, Context, Output, Probe
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probing.harness import Harness, as_loss
from loss_advisor.probing.loopwatch import LoopMonitor, loop_findings, mode_dependent
from loss_advisor.probing.target import describe_exception

# Calls of the user's step: enough for several iterations of evidence and
# for the reference loop to make clear progress on small models.
CALLS = 30
# Examples the progress is measured on (the same for both loops).
EVAL_EXAMPLES = 512


class TrainStepProbe(Probe):
    name = "train_step"
    title = {"en": "Audit of your training step", "ja": "あなたの学習ステップの監査"}
    budgets = {"fast": Budget(2 * CALLS, 4.0), "full": Budget(4 * CALLS, 15.0)}
    observations = DECLARED["train_step"]

    def applies(self, harness: Harness) -> str | None:
        return None if harness.target.train_step is not None else "no_train_step"

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        out = Output()
        obs = out.observations
        obs["error"] = ""
        # Your step, then the reference step on the same batches: twice the calls.
        calls_wanted = ctx.plan(CALLS, runs=2, minimum=5)
        raw = h.raw_batches(calls_wanted)
        batches = [raw[i % len(raw)] for i in range(calls_wanted)]
        prepared = [h._prepare(b) for b in batches]
        examples = h.examples(limit=EVAL_EXAMPLES)

        model = h.fresh_model(keep_mode=True)
        obs["mode_dependent_layers"] = mode_dependent(model)
        opt = h.build_optimizer(model).optimizer
        before = h.eval_loss(model, [examples])
        monitor = LoopMonitor(model, [opt])
        calls = 0
        with monitor:
            for i, batch in enumerate(batches):
                monitor.begin_iteration()
                try:
                    returned = h.target.train_step(model, batch, opt, h.target.loss_fn)
                except Exception as exc:
                    obs["error"] = describe_exception(exc)
                    break
                calls += 1
                h.steps += 1
                if returned is not None:
                    try:
                        value = float(as_loss(returned).detach()) if not isinstance(returned, (int, float)) else float(returned)
                    except (TypeError, ValueError):
                        value = math.nan
                    if not math.isfinite(value):
                        break
                ctx.check(0.6 * (i + 1) / calls_wanted, f"your step {i + 1}/{calls_wanted}")
                if ctx.out_of_time():
                    break
        counts = monitor.end()
        obs.update(loop_findings(counts, calls))
        out.details["events"] = counts.events[:5]
        if calls == 0:
            return out
        after = h.eval_loss(model, [examples])

        reference = h.fresh_model()
        ref_opt = h.build_optimizer(reference).optimizer
        ref_before = h.eval_loss(reference, [examples])
        for i, batch in enumerate(prepared[:calls]):
            h.train_step(reference, ref_opt, batch)
            ctx.check(0.6 + 0.4 * (i + 1) / calls, f"reference step {i + 1}/{calls}")
        ref_after = h.eval_loss(reference, [examples])
        if before > 0 and math.isfinite(before):
            obs["user_drop"] = (before - after) / before if math.isfinite(after) else -1.0
        if ref_before > 0 and math.isfinite(ref_before) and math.isfinite(ref_after):
            obs["reference_drop"] = (ref_before - ref_after) / ref_before
            if obs["reference_drop"] > 0 and "user_drop" in obs:
                obs["progress_ratio"] = max(-1.0, obs["user_drop"]) / obs["reference_drop"]
        out.details["counts"] = {k: v for k, v in vars(counts).items() if k != "events"}
        return out
