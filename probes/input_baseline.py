"""Input-independent baseline (Karpathy's recipe): does the model use its inputs?

Two copies train on the same examples with the same reference optimizer,
one on the real inputs and one on inputs set to zero. A model whose
inputs reach the prediction fits its training examples better with real
inputs than without (train_gain) and, on data with any signal, predicts
held-out examples better too (real_gain). Fitting the training examples
with real inputs but gaining nothing on held-out ones means the inputs
carry no information about the targets (features and labels misaligned,
a data pipeline bug). The gradient of the loss with respect to the inputs
is also checked: it is exactly zero when forward() ignores them.

Diagnoses (through the knowledge base): inputs_ignored.
"""
from __future__ import annotations

import math

import torch

from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probes.batch_mixing import _with_grad_inputs
from loss_advisor.probing.harness import Harness, batch_len, take
from loss_advisor.probes.seeds import reinitialise

# Adam at 1e-3: a reference that trains almost any small model, so the
# comparison is about the inputs, not about the user's optimizer settings.
REFERENCE_LR = 1e-3
# A small training set makes memorisation (fitting with real inputs) quick
# to show; the held-out examples are others.
TRAIN_EXAMPLES, HOLDOUT_EXAMPLES = 256, 512
REFERENCE_BATCH = 32


def zeroed(obj):
    if isinstance(obj, torch.Tensor):
        return torch.zeros_like(obj)
    if isinstance(obj, dict):
        return {k: zeroed(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(zeroed(v) for v in obj)
    return obj


def split_sample(h: Harness, seed: int, train_size: int, holdout_size: int) -> tuple[list, list]:
    """Training batches of the user's batch size and held-out batches, from
    a representative sample (val_data is the held-out part when given)."""
    inputs, targets, _ = h.sample(train_size + (0 if h.val_batches else holdout_size), seed=seed)
    n = batch_len(inputs)
    if n < 8:
        raise ProbeSkipped("too_few_examples")
    n_train = min(train_size, n if h.val_batches else max(4, n * 2 // 3))
    # At least REFERENCE_BATCH examples per batch: these comparisons are about
    # the model and the data, not about a batch size too small to train on.
    bs = max(2, min(max(h.batch_size, REFERENCE_BATCH), n_train))
    train = [(take(inputs, slice(s, min(s + bs, n_train))), take(targets, slice(s, min(s + bs, n_train))))
             for s in range(0, n_train - bs + 1, bs)]
    if h.val_batches:
        holdout = h.val_batches
    else:
        holdout = [(take(inputs, slice(n_train, n)), take(targets, slice(n_train, n)))]
    return train, holdout


class InputBaselineProbe(Probe):
    name = "input_baseline"
    title = {"en": "Input-independent baseline", "ja": "入力を使わないベースライン"}
    budgets = {"fast": Budget(300, 4.0), "full": Budget(800, 15.0)}
    observations = DECLARED["input_baseline"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        out = Output()
        obs = out.observations
        grad_zero = self._input_grad_zero(h)
        if grad_zero is not None:
            obs["input_grad_zero"] = grad_zero
        train, holdout = split_sample(h, ctx.seed, TRAIN_EXAMPLES, HOLDOUT_EXAMPLES)
        steps = ctx.plan(max(20, ctx.budget.steps // 2), examples=batch_len(train[0][0]), runs=2, minimum=10,
                         extra_examples=10 * sum(batch_len(b[0]) for b in holdout))
        scores = {}
        for k, transform in enumerate((lambda b: b, lambda b: (zeroed(b[0]), b[1]))):
            torch.manual_seed(ctx.seed)
            model = h.fresh_model()
            params = [p for p in model.parameters() if p.requires_grad]
            if not params:
                raise ProbeSkipped("no_trainable")
            opt = torch.optim.Adam(params, lr=REFERENCE_LR)
            data = [transform(b) for b in train]
            scored = [transform(b) for b in holdout]
            # The held-out loss is taken at its best point of the run (as early
            # stopping would): a model that uses real information beats the
            # input-free one at some point, even if it later overfits a small
            # training set and ends worse.
            best_held = h.eval_loss(model, scored)
            every = max(1, steps // 10)
            for i in range(steps):
                h.train_step(model, opt, data[i % len(data)])
                if (i + 1) % every == 0 or i == steps - 1:
                    held = h.eval_loss(model, scored)
                    if math.isfinite(held):
                        best_held = min(best_held, held) if math.isfinite(best_held) else held
                ctx.check((k + (i + 1) / steps) / 2, "real inputs" if k == 0 else "zeroed inputs")
                if ctx.out_of_time():
                    break
            scores[k] = (h.eval_loss(model, data), best_held)
        (real_train, real_held), (zero_train, zero_held) = scores[0], scores[1]
        if not all(math.isfinite(v) for v in (real_train, real_held, zero_train, zero_held)):
            raise ProbeSkipped("baseline_nonfinite")
        if zero_train > 0:
            obs["train_gain"] = 1 - real_train / zero_train
        if zero_held > 0:
            obs["real_gain"] = 1 - real_held / zero_held
        out.details["losses"] = {"real_train": real_train, "real_holdout": real_held,
                                 "zeroed_train": zero_train, "zeroed_holdout": zero_held}
        return out

    @staticmethod
    def _input_grad_zero(h: Harness) -> bool | None:
        inputs, targets = h.batches[0]
        if _with_grad_inputs(inputs)[1] is None:
            return None
        def zero_grad_on(model) -> bool | None:
            prepared, leaf = _with_grad_inputs(inputs)
            model.eval()
            try:
                loss = h.loss(h.forward(model, prepared), targets)
                if not loss.requires_grad:
                    return None
                loss.backward()
            except Exception:
                return None
            return leaf.grad is None or not bool(leaf.grad.ne(0).any())

        model = h.fresh_model()
        if not any(p.requires_grad for p in model.parameters()):
            return None
        first = zero_grad_on(model)
        if not first:
            return first
        # Zero can also come from the weights (every ReLU dead, all-zero
        # initialisation). Re-initialised weights tell wiring from weights:
        # only inputs that never reach the output stay at zero gradient.
        fresh = h.fresh_model()
        if reinitialise(fresh, seed=0) == 0:
            with torch.no_grad():
                for p in fresh.parameters():
                    p.add_(torch.randn_like(p) * 0.1)
        return zero_grad_on(fresh)
