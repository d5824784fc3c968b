"""What your training step does around the optimizer: precision, accumulation, clipping.

The parameters' dtype and the optimizer's eps are read on a fresh copy of
the set-up. When the target gives `train_step(model, batch, optimizer,
loss_fn)`, the step then runs for a few calls on real batches, on a fresh
copy of the model with a fresh optimizer, under a SetupMonitor
(loss_advisor/probing/setupwatch.py): clip_grad_norm_/clip_grad_value_,
the GradScaler and torch.autograd.backward are wrapped for the duration of
the calls only and restored after, and nothing of the user's source is
read. Per optimizer step it counts the backward passes and how the loss
handed to each was scaled, whether the gradients were cleared between
them, the autocast dtype of the forward, the GradScaler's use, and what
clipping did to the gradient norm. Under float16 autocast without a
GradScaler, one backward in float16 and one in float32 on the same weights
and batch say how many gradient values float16 rounds to zero.

Diagnoses (through the knowledge base): mixed_precision_misconfigured,
accumulation_not_scaled, gradient_clipping_too_strong.
"""
from __future__ import annotations

import math

from loss_advisor.probes.base import Budget, Context, Output, Probe
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probing.harness import Harness, as_loss
from loss_advisor.probing.setupwatch import ADAPTIVE, SetupMonitor, eps_lost, param_precision, summarise, underflow_fraction
from loss_advisor.probing.target import describe_exception

# Calls of the user's step: enough for a few optimizer steps when the step
# accumulates over calls (8 micro-steps per update is common).
CALLS = 24


class StepSetupProbe(Probe):
    name = "step_setup"
    title = {"en": "Precision, accumulation and clipping in your step", "ja": "ステップ内の精度・勾配累積・クリッピング"}
    budgets = {"fast": Budget(CALLS + 4, 4.0), "full": Budget(CALLS + 4, 10.0)}
    observations = DECLARED["step_setup"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        out = Output()
        obs = out.observations
        model = h.fresh_model(keep_mode=True)
        opt = h.build_optimizer(model).optimizer
        dtype, half = param_precision(model)
        if dtype is not None:
            obs["param_dtype"] = dtype
            obs["half_param_fraction"] = half
        eps = opt.defaults.get("eps")
        lost = eps_lost(float(eps) if isinstance(eps, (int, float)) and not isinstance(eps, bool) else None, dtype)
        if lost is not None:
            obs["eps_lost"] = lost
        obs["adaptive_optimizer"] = type(opt).__name__ in ADAPTIVE
        obs["post_ln_layers"] = post_ln_layers(model)
        if h.target.train_step is None:
            return out
        self._audit(ctx, model, opt, out)
        return out

    def _audit(self, ctx: Context, model, opt, out: Output) -> None:
        h = ctx.harness
        obs = out.observations
        obs["error"] = ""
        raw = h.raw_batches(CALLS)
        monitor = SetupMonitor(every=1)
        monitor.watch_params(p for g in opt.param_groups for p in g["params"])
        user_loss = h.target.loss_fn

        def loss_fn(*args, **kwargs):
            value = user_loss(*args, **kwargs)
            monitor.on_loss(value)
            return value

        handles = [opt.register_step_pre_hook(lambda o, a, k: monitor.before_step(o)),
                   opt.register_step_post_hook(lambda o, a, k: monitor.after_step(o)),
                   model.register_forward_pre_hook(lambda m, a: monitor.on_forward())]
        calls = 0
        try:
            with monitor:
                for i in range(CALLS):
                    try:
                        returned = h.target.train_step(model, raw[i % len(raw)], opt, loss_fn)
                    except Exception as exc:
                        obs["error"] = describe_exception(exc)
                        break
                    calls += 1
                    h.steps += 1
                    if returned is not None and not isinstance(returned, (int, float)):
                        try:
                            returned = float(as_loss(returned).detach())
                        except (TypeError, ValueError, RuntimeError):
                            returned = math.nan
                    if isinstance(returned, float) and not math.isfinite(returned):
                        break
                    ctx.check(0.8 * (i + 1) / CALLS, f"your step {i + 1}/{CALLS}")
                    if ctx.out_of_time():
                        break
        finally:
            for handle in handles:
                handle.remove()
        series = monitor.series()
        found = summarise(series, h.batches_per_epoch())
        obs.update({k.split(".", 1)[1]: v for k, v in found.items() if k.startswith("step_setup.")})
        obs["calls"] = len([s for s in series["steps"] if not s.get("skipped")])
        if calls and obs.get("autocast_dtype") == "float16" and not obs.get("scaler_used"):
            fresh = h.fresh_model(keep_mode=True)
            batch = h._prepare(raw[0])
            device = next((p.device.type for p in fresh.parameters()), "cpu")
            try:
                value = underflow_fraction(fresh, lambda m: h.batch_loss(m, batch), device)
            except Exception as exc:   # the model cannot run under float16 autocast here
                out.notes.append(f"underflow check skipped: {type(exc).__name__}: {exc}")
                value = None
            if value is not None:
                obs["underflow_fraction"] = value


def post_ln_layers(model) -> int:
    """Transformer layers that normalise after the residual (norm_first=False)."""
    from torch import nn

    kinds = (nn.TransformerEncoderLayer, nn.TransformerDecoderLayer)
    return sum(1 for m in model.modules() if isinstance(m, kinds) and not getattr(m, "norm_first", False))
