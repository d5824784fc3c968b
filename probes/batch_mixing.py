"""Does one example's output depend on another example's input?

Karpathy's recipe: take the loss of example i alone, run backward, and
check that only example i's input gets a gradient. Runs in eval mode, so
that BatchNorm uses its running statistics and mixes nothing on purpose;
any gradient that still reaches other examples comes from a view,
reshape or transpose that mixes the batch dimension.

Diagnoses (through the knowledge base): batch_mixing.
"""
from __future__ import annotations

import torch

from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probes.data import float_inputs
from loss_advisor.probes.init_loss import main_output
from loss_advisor.probing.harness import batch_len, take

EXAMPLES = 8


def _with_grad_inputs(inputs):
    """A copy of the inputs whose first float tensor requires grad, and that tensor."""
    x = float_inputs(inputs)
    if x is None:
        return None, None
    leaf = x.detach().clone().requires_grad_(True)
    if isinstance(inputs, torch.Tensor):
        return leaf, leaf
    if isinstance(inputs, dict):
        return {k: (leaf if v is x else v) for k, v in inputs.items()}, leaf
    return type(inputs)(leaf if v is x else v for v in inputs), leaf


class BatchMixingProbe(Probe):
    name = "batch_mixing"
    title = {"en": "Batch independence", "ja": "バッチ内の独立性"}
    budgets = {"fast": Budget(4, 2.0), "full": Budget(8, 5.0)}
    observations = DECLARED["batch_mixing"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        inputs, _ = h.batches[0]
        n = batch_len(inputs)
        if n < 2:
            raise ProbeSkipped("single_example")
        small = take(inputs, slice(0, min(n, EXAMPLES)))
        model = h.fresh_model()
        model.eval()
        out = Output()
        worst, which = 0.0, 0
        picks = sorted({1, batch_len(small) // 2})
        for i in picks:
            prepared, leaf = _with_grad_inputs(small)
            if leaf is None:
                raise ProbeSkipped("no_float_input")
            try:
                o = main_output(h.forward(model, prepared))
            except Exception:
                prepared, leaf = _with_grad_inputs(inputs)   # models that need the full batch size
                o = main_output(h.forward(model, prepared))
            if o is None or o.dim() == 0 or o.shape[0] != leaf.shape[0]:
                raise ProbeSkipped("no_batch_output")
            # A random projection of example i's output: a plain sum would be
            # constant under softmax and hide every dependency.
            weights = torch.randn(o[i].shape, generator=torch.Generator().manual_seed(i)).to(o.device)
            (o[i].float() * weights).sum().backward()
            h.steps += 1
            if leaf.grad is None:
                continue
            g = leaf.grad.detach().flatten(1).norm(dim=1)
            own = float(g[i])
            others = float(torch.cat([g[:i], g[i + 1:]]).max()) if g.numel() > 1 else 0.0
            if own == 0:
                continue
            if others / own > worst:
                worst, which = others / own, i
        out.observations["leak"] = worst
        out.observations["example"] = which
        return out
