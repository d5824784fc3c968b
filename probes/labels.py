"""Label quality: confident learning on cross-validated predictions.

Copies of the model train on two thirds of the examples and predict the
other third (three folds), so every example gets an out-of-sample
probability for each class. Confident learning (Northcutt, Jiang & Chuang,
"Confident Learning", JAIR 2021) then counts an example as likely
mislabelled when its predicted probability for another class reaches that
class's own average self-confidence; the calibrated count estimates the
share of wrong labels. The model trains with a reference optimizer so
that the estimate is about the labels, not the user's settings.

Diagnoses (through the knowledge base): label_noise.
"""
from __future__ import annotations

import math

import torch

from loss_advisor.core.kb import threshold
from loss_advisor.probes.base import Budget, Context, Output, Probe, ProbeSkipped
from loss_advisor.probes.declared import DECLARED
from loss_advisor.probes.init_loss import main_output
from loss_advisor.probes.input_baseline import REFERENCE_LR
from loss_advisor.probing.harness import batch_len, take

FOLDS = 3
MAX_EXAMPLES = 1500
LEARNED = threshold("labels.learned_ratio")     # a class the model has learned (knowledge/thresholds.yaml)
MIN_PER_CLASS = 20


def confident_learning(probs: torch.Tensor, labels: torch.Tensor) -> tuple[float, torch.Tensor]:
    """(estimated share of wrong labels, mask of examples counted as wrong)."""
    C = probs.shape[1]
    thresholds = torch.zeros(C, dtype=probs.dtype)
    for j in range(C):
        mine = labels == j
        thresholds[j] = probs[mine, j].mean() if mine.any() else 1.0
    # A class the model has not learned cannot be told apart from noise, so
    # no example is reassigned to it. "Learned": examples of the class get
    # on average at least LEARNED times the probability for it that other
    # examples get (measured: an ignored minority class scores 1.0-1.15,
    # classes with 45% of labels random still 1.6-2.0, clean ones 3-300). Without this, a rare class the model ignores makes every
    # majority example with a little probability on it look mislabelled.
    others = torch.stack([probs[labels != j, j].mean() if (labels != j).any() else probs[:, j].mean()
                          for j in range(C)])
    learned = thresholds >= LEARNED * others
    above = (probs >= thresholds.unsqueeze(0)) & learned.unsqueeze(0)
    masked = torch.where(above, probs, torch.full_like(probs, -1.0))
    guess = masked.argmax(1)
    confident = above.any(1)
    joint = torch.zeros(C, C, dtype=probs.dtype)
    for i, j in zip(labels[confident].tolist(), guess[confident].tolist()):
        joint[i, j] += 1
    counts = torch.bincount(labels, minlength=C).to(probs.dtype)
    rows = joint.sum(1, keepdim=True)
    calibrated = torch.where(rows > 0, joint / rows.clamp(min=1) * counts.unsqueeze(1), torch.zeros_like(joint))
    off = calibrated.sum() - calibrated.diag().sum()
    wrong = confident & (guess != labels)
    return float(off / max(1, labels.numel())), wrong


class LabelsProbe(Probe):
    name = "labels"
    after = ("init_loss",)
    title = {"en": "Label quality", "ja": "ラベルの品質"}
    budgets = {"fast": Budget(450, 6.0), "full": Budget(1500, 30.0)}
    observations = DECLARED["labels"]

    def run(self, ctx: Context) -> Output:
        h = ctx.harness
        inputs, targets, index = h.sample(MAX_EXAMPLES, seed=ctx.seed)
        if isinstance(targets, torch.Tensor) and targets.is_floating_point() and targets.dim() <= 2 \
                and (targets.dim() == 1 or targets.shape[1] == 1) and bool(((targets == 0) | (targets == 1)).all()):
            binary_float = targets      # 0/1 floats for BCE with one logit: labels all the same
        else:
            binary_float = None
        if not isinstance(targets, torch.Tensor) or (targets.is_floating_point() and binary_float is None) \
                or targets.reshape(targets.shape[0], -1).shape[1] != 1:
            raise ProbeSkipped("class_index_only")
        n = batch_len(inputs)
        if n < 30:
            raise ProbeSkipped("too_few_to_cross_validate")
        labels = targets.detach().reshape(-1).long().cpu()
        classes = int(labels.unique().numel())
        if n < MIN_PER_CLASS * classes:
            # Three folds of fewer examples than this per class train models
            # too weak to judge labels by (measured: 8 per class puts 18% of
            # clean digits under suspicion).
            raise ProbeSkipped("too_few_per_class", n=n, classes=classes)
        # Labels are a property of the data, not of the user's model: a weak
        # or broken model would make every hard example look mislabelled. The
        # user's model and a generic reference MLP both cross-validate, and
        # the one that predicts held-out labels better is believed.
        makers = [("your model", h.fresh_model)]
        reference = self._reference_maker(h, inputs)
        if reference is not None:
            makers.append(("reference MLP", reference))
        best = None
        for k, (who, make) in enumerate(makers):
            probs = self._cross_validate(ctx, make, inputs, targets, n, k, len(makers))
            if probs is None:
                continue
            accuracy = float((probs.argmax(1) == labels).float().mean())
            if best is None or accuracy > best[1]:
                best = (probs, accuracy, who)
        if best is None:
            raise ProbeSkipped("cross_validation_failed")
        probs, accuracy, who = best
        if int(labels.max()) >= probs.shape[1] or int(labels.min()) < 0:
            raise ProbeSkipped("labels_outside_classes")
        rate, wrong = confident_learning(probs, labels)
        out = Output()
        obs = out.observations
        obs["noise_rate"] = rate
        obs["classes"] = classes
        obs["heldout_accuracy"] = accuracy
        majority = float(torch.bincount(labels).max()) / n
        obs["accuracy_over_majority"] = accuracy / majority
        obs["suspicious"] = int(wrong.sum())
        margin = probs.max(1).values - probs[torch.arange(n), labels]
        ranked = [int(i) for i in torch.argsort(margin, descending=True) if wrong[i]][:5]
        obs["examples"] = [index[i] for i in ranked] if index is not None else ranked
        out.details["index_kind"] = "dataset" if index is not None else "position in the first batches"
        out.details["judged_by"] = who
        return out

    @staticmethod
    def _reference_maker(h, inputs):
        from loss_advisor.probes.capacity import MAX_IN, ReferenceMLP

        if not isinstance(inputs, torch.Tensor) or not inputs.is_floating_point():
            return None
        try:
            with torch.no_grad():
                o = main_output(h.forward(h.fresh_model(), take(inputs, slice(0, 2))))
        except Exception:
            return None
        features = math.prod(inputs.shape[1:]) if inputs.dim() > 1 else 1
        if o is None or o.dim() != 2 or features > MAX_IN:
            return None
        return lambda: ReferenceMLP(features, tuple(o.shape[1:])).to(h.device)

    @staticmethod
    def _cross_validate(ctx: Context, make, inputs, targets, n: int, k: int, total: int):
        h = ctx.harness
        steps = max(30, ctx.budget.steps // (FOLDS * total))
        if k == 0:      # the user's model (the reference MLP after it is small)
            steps = ctx.plan(steps, examples=max(8, min(h.batch_size, 128)), runs=FOLDS, minimum=10)
        bs = max(8, min(h.batch_size, 128))
        folds = torch.arange(n) % FOLDS
        probs = None
        for f in range(FOLDS):
            train_idx = torch.nonzero(folds != f).flatten()
            test_idx = torch.nonzero(folds == f).flatten()
            torch.manual_seed(ctx.seed + f)
            model = make()
            params = [p for p in model.parameters() if p.requires_grad]
            if not params:
                return None
            opt = torch.optim.Adam(params, lr=REFERENCE_LR)
            for i in range(steps):
                pick = train_idx[torch.randint(len(train_idx), (bs,))]
                loss = h.train_step(model, opt, (take(inputs, pick), take(targets, pick)))
                if not math.isfinite(loss):
                    return None
                ctx.check((k + (f + (i + 1) / steps) / FOLDS) / total, f"fold {f + 1}/{FOLDS}")
            model.eval()
            with torch.no_grad():
                o = main_output(h.forward(model, take(inputs, test_idx)))
            if o is not None and o.dim() == 1:
                o = o.unsqueeze(1)
            if o is None or o.dim() != 2:
                return None
            if o.shape[1] == 1:
                # One output: a logit (BCEWithLogits: sigmoid it), or already a
                # probability (BCELoss, MSE on 0/1: clamp it); anything else
                # cannot be read as a class probability.
                single = ctx.observations.get("init_loss.loss_kind")
                if single == "bce_with_logits":
                    positive = o.float().sigmoid()
                elif single in ("bce", "regression"):
                    positive = o.float().clamp(0, 1)
                else:
                    return None
                p = torch.cat([1 - positive, positive], 1).cpu()
            else:
                p = o.float().softmax(1).cpu()
            if probs is None:
                probs = torch.zeros(n, p.shape[1])
            probs[test_idx.cpu()] = p
        return probs
