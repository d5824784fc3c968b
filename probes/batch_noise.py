"""Gradient noise against the batch size (McCandlish et al., "An Empirical
Model of Large-Batch Training", 2018, appendix A).

From gradients on k minibatches of the user's size B and on their union
(size kB), the unbiased estimates of the true gradient's squared norm
|G|^2 and of the per-example noise tr(Sigma) give the simple noise scale
B_noise = tr(Sigma) / |G|^2: the batch size at which noise and signal in a
step's gradient are about equal. Also reported: the mean cosine between a
minibatch gradient and the large-batch gradient.

Diagnoses (through the knowledge base): batch_too_small.
"""
from __future__ import annotations

import math

import torch

from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probing.harness import batch_len, concat

MINIBATCHES = 8
WARMUP_STEPS, WARMUP_LR = 30, 1e-3


class BatchNoiseProbe(Probe):
    name = "batch_noise"
    after = ("data",)
    title = {"en": "Gradient noise and batch size", "ja": "勾配ノイズとバッチサイズ"}
    budgets = {"fast": Budget(MINIBATCHES + 1 + WARMUP_STEPS, 3.0), "full": Budget(4 * MINIBATCHES + 1 + WARMUP_STEPS, 10.0)}
    observations = DECLARED["batch_noise"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        count = min(len(h.batches), MINIBATCHES if ctx.budget.steps <= MINIBATCHES + 1 + WARMUP_STEPS else 4 * MINIBATCHES)
        batches = [b for b in h.batches[:count] if batch_len(b[0]) == h.batch_size]
        if len(batches) < 2:
            raise ProbeSkipped("two_full_batches")
        model = h.fresh_model()
        params = [p for p in model.parameters() if p.requires_grad]
        if not params:
            raise ProbeSkipped("no_trainable")
        # The noise scale grows as training leaves the steep start behind
        # (McCandlish et al., fig. 4); measured at initialisation it would
        # understate the noise of most of a run. A short warm-up with a
        # reference optimizer on a larger batch moves past the start.
        # The warm-up steps are on the large batch; after them, a gradient on
        # every minibatch and on the large batch (forward and backward: about
        # a step each) must fit too.
        big_size = sum(batch_len(b[0]) for b in batches)
        warmup = ctx.plan(WARMUP_STEPS, examples=big_size, minimum=3, extra_examples=3 * 2 * big_size)
        warm = torch.optim.Adam(params, lr=WARMUP_LR)
        big_warm = (concat([b[0] for b in batches]), concat([b[1] for b in batches]))
        for i in range(warmup):
            try:
                h.train_step(model, warm, big_warm)
            except Exception:
                h.train_step(model, warm, batches[i % len(batches)])
            ctx.check(0.5 * (i + 1) / warmup, "warm-up")

        del warm            # its state is as large as the model's weights, twice

        # Gradients are kept per parameter, never flattened into one vector,
        # and only the large batch's is held: each minibatch gradient is
        # reduced to its squared norm and its dot product with it at once
        # (k flattened double-precision copies cost k times the model in
        # memory: 8 GB on an 85M-parameter model). Sums are in double.
        def grad(batch) -> list[torch.Tensor]:
            model.zero_grad(set_to_none=True)
            loss = h.batch_loss(model, batch)
            loss.backward()
            h.steps += 1
            return [(p.grad if p.grad is not None else torch.zeros_like(p)).detach() for p in params]

        def dot(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
            return float(sum(torch.sum(x.double() * y.double()) for x, y in zip(a, b)))

        big_batch = (concat([b[0] for b in batches]), concat([b[1] for b in batches]))
        try:
            big = grad(big_batch)
        except Exception:
            big = None                # models tied to one batch size: the minibatches' mean below
        small_sq, small_dots, mean = [], [], None
        for i, b in enumerate(batches):
            g = grad(b)
            small_sq.append(dot(g, g))
            if big is not None:
                small_dots.append(dot(g, big))
            else:
                mean = [x.clone() / len(batches) for x in g] if mean is None else \
                    [m.add_(x, alpha=1.0 / len(batches)) for m, x in zip(mean, g)]
            del g
            ctx.check(0.5 + 0.5 * (i + 1) / (len(batches) + 1), "minibatch gradients")
        model.zero_grad(set_to_none=True)
        if big is None:
            big = mean
            small_dots = []
            # Without the large batch, its gradient is the minibatches' mean;
            # the dot products need every minibatch gradient again.
            for b in batches:
                g = grad(b)
                small_dots.append(dot(g, big))
                del g
            model.zero_grad(set_to_none=True)
        b_small = float(h.batch_size)
        b_big = b_small * len(batches)
        g_small_sq = sum(small_sq) / len(small_sq)
        g_big_sq = dot(big, big)
        g_sq = (b_big * g_big_sq - b_small * g_small_sq) / (b_big - b_small)
        trace = (g_small_sq - g_big_sq) / (1 / b_small - 1 / b_big)
        out = Output()
        obs = out.observations
        obs["batch_size"] = int(b_small)
        norm_big = math.sqrt(g_big_sq)
        if norm_big > 0:
            obs["cosine"] = sum(d / (math.sqrt(sq) * norm_big + 1e-30)
                                for d, sq in zip(small_dots, small_sq)) / len(small_sq)
        if g_sq > 0 and trace >= 0:
            obs["noise_scale"] = trace / g_sq
        elif trace > 0:
            # The signal estimate fell to noise level: the noise dominates beyond measure.
            obs["noise_scale"] = b_big * 10
        if "noise_scale" in obs:
            # No batch can be larger than the data set: the noise a bigger
            # batch could remove is bounded by data set size / batch size.
            reachable = obs["noise_scale"]
            size = ctx.observations.get("data.train_examples")
            if isinstance(size, (int, float)) and size > 0:
                reachable = min(reachable, float(size))
            obs["noise_over_batch"] = reachable / b_small
        return out
