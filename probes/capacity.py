"""Capacity: would a bigger model do clearly better on the same data?

The user's model and a reference MLP (two hidden layers of 256 ReLU
units on the flattened inputs, with the user's output shape and loss
function) train with the user's own optimizer settings on the same
examples, the user's model for three times as many steps; both are scored
on held-out examples. If the reference ends far lower while the user's
model has stopped improving, the model is too small or too constrained for
the data (underfitting). Training both the same way separates capacity
from the optimizer.

Diagnoses (through the knowledge base): underfitting.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probes.data import float_inputs
from loss_advisor.probes.init_loss import main_output
from loss_advisor.probes.input_baseline import split_sample
from loss_advisor.probes.seeds import reinitialise
from loss_advisor.core.curves import analyse
from loss_advisor.probing.harness import batch_len

WIDTH = 256
# Enough examples that the bigger model cannot simply memorise its way to a
# low held-out loss advantage, few enough to stay cheap.
TRAIN_EXAMPLES, HOLDOUT_EXAMPLES = 1024, 512
MAX_IN, MAX_OUT = 8192, 4096
USER_SHARE = 0.75


class ReferenceMLP(nn.Module):
    def __init__(self, in_features: int, out_shape: tuple[int, ...]):
        super().__init__()
        self.out_shape = out_shape
        out = math.prod(out_shape) if out_shape else 1
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(in_features, WIDTH), nn.ReLU(),
                                 nn.Linear(WIDTH, WIDTH), nn.ReLU(), nn.Linear(WIDTH, out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.net(x.float())
        return y.reshape((x.shape[0],) + self.out_shape) if self.out_shape else y.reshape(x.shape[0])


class CapacityProbe(Probe):
    name = "capacity"
    title = {"en": "Capacity against a bigger reference model", "ja": "大きな参照モデルとの表現力比較"}
    budgets = {"fast": Budget(600, 6.0), "full": Budget(2000, 30.0)}
    observations = DECLARED["capacity"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        train, holdout = split_sample(h, ctx.seed, TRAIN_EXAMPLES, HOLDOUT_EXAMPLES)
        x = float_inputs(train[0][0])
        if x is None or not isinstance(train[0][0], torch.Tensor):
            raise ProbeSkipped("mlp_single_input")
        with torch.no_grad():
            probe_model = h.fresh_model()
            o = main_output(h.forward(probe_model, train[0][0]))
        if o is None or o.dim() == 0:
            raise ProbeSkipped("no_tensor_output")
        in_features = math.prod(x.shape[1:]) if x.dim() > 1 else 1
        out_shape = tuple(o.shape[1:])
        if in_features > MAX_IN or math.prod(out_shape or (1,)) > MAX_OUT:
            raise ProbeSkipped("too_large_for_mlp")
        # The user's model gets USER_SHARE of the steps, the reference the rest:
        # a model that is merely slower than an MLP catches up given three
        # times the training; one that lacks capacity does not.
        # The reference MLP is small: what has to fit is the user's share.
        wanted = max(80, ctx.budget.steps)
        user_steps = ctx.plan(int(wanted * USER_SHARE), examples=batch_len(train[0][0]), minimum=15)
        total_steps = wanted if user_steps >= int(wanted * USER_SHARE) else int(user_steps / USER_SHARE)
        out = Output()
        losses = {}
        for k, make in enumerate((self._reinitialised, lambda: ReferenceMLP(in_features, out_shape).to(h.device))):
            steps = int(total_steps * (USER_SHARE if k == 0 else 1 - USER_SHARE))
            torch.manual_seed(ctx.seed)
            model = make(h, ctx.seed) if k == 0 else make()
            params = [p for p in model.parameters() if p.requires_grad]
            if not params:
                raise ProbeSkipped("no_trainable")
            # The user's own optimizer (their rate, momentum, weight decay) for
            # both models: the comparison is then about the architecture alone.
            opt = h.target.optimizer(params)
            if not isinstance(opt, torch.optim.Optimizer):
                raise ProbeSkipped("factory_not_optimizer")
            curve = []
            for i in range(steps):
                curve.append(h.train_step(model, opt, train[i % len(train)]))
                if not math.isfinite(curve[-1]):
                    break
                ctx.check(USER_SHARE * (i + 1) / steps if k == 0 else USER_SHARE + (1 - USER_SHARE) * (i + 1) / steps,
                          "your model" if k == 0 else "reference MLP")
                if ctx.out_of_time():
                    break
            losses[k] = h.eval_loss(model, holdout)
            if k == 0:
                late = analyse(list(range(len(curve))), curve).observations.get("late_drop")
                if late is not None:
                    out.observations["user_late_drop"] = late
        user, ref = losses[0], losses[1]
        if not (math.isfinite(user) and math.isfinite(ref)):
            raise ProbeSkipped("nonfinite_comparison")
        out.observations["user_loss"] = user
        out.observations["reference_loss"] = ref
        if user > 0 and ref >= 0:
            out.observations["gap"] = 1 - ref / user
            late = out.observations.get("user_late_drop")
            if late is not None and ref > 0 and user > ref:
                # At its late pace (the share lost over the last 40% of the run)
                # how many more such stretches would close the gap?
                pace = -math.log(1 - min(max(late, 0.0), 0.999))
                out.observations["segments_to_close"] = math.log(user / ref) / pace if pace > 0 else 1e6
        return out

    @staticmethod
    def _reinitialised(h, seed: int) -> nn.Module:
        """The user's architecture with freshly initialised weights: capacity is
        about the architecture, and a broken initialisation (dead units, all
        zeros) has its own probe and must not pass for a small model."""
        model = h.fresh_model()
        reinitialise(model, seed)
        return model
