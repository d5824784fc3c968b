"""Which column of a log is the training loss, the validation loss, the
learning rate, the gradient norm and the step.

Names are compared after normalising (lower case; `/`, `-`, `.`, spaces
become `_`), so `train/loss`, `Train-Loss` and `train_loss` are one name.
An explicit name (`--train-col`) always wins. Pure Python, torch-free.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

ROLES = ("train", "val", "lr", "grad_norm")

# Tokens that make a loss a held-out one. "test" is left out on purpose: a
# test loss is not what the train/validation questions are about.
VAL_TOKENS = {"val", "valid", "validation", "eval", "evaluation", "dev", "holdout"}
# Loss-like names that are not the training objective: AMP's loss scale,
# a loss weight or coefficient.
NOT_A_LOSS = {"scale", "scaler", "weight", "coef", "coeff"}
STEP_NAMES = ("step", "global_step", "trainer_global_step", "iteration", "iterations", "iter", "it",
              "_step", "train_step", "steps", "batch", "batch_idx", "update", "updates")
EPOCH_NAMES = ("epoch", "epochs", "train_epoch")
# The usual names of the training loss, best first (Lightning logs both
# `train_loss_step` and `train_loss_epoch` when asked for both; the step one
# has more points).
TRAIN_PREFERRED = ("train_loss", "training_loss", "loss", "train_loss_step", "loss_step", "train_total_loss",
                   "total_loss", "train_epoch_loss", "epoch_loss", "train_loss_epoch", "loss_epoch")
VAL_PREFERRED = ("val_loss", "valid_loss", "validation_loss", "eval_loss", "val_loss_epoch", "validation_epoch_loss",
                 "val_epoch_loss", "loss_val", "val_total_loss", "val_loss_step")


def normalise(name: str) -> str:
    return re.sub(r"_+", "_", re.sub(r"[/\-.\s:]+", "_", name.strip().lower())).strip("_") or name


def _tokens(norm: str) -> set[str]:
    return set(norm.split("_"))


def is_val_loss(norm: str) -> bool:
    tokens = _tokens(norm)
    return "loss" in norm and bool(tokens & VAL_TOKENS) and not tokens & NOT_A_LOSS


def is_train_loss(norm: str) -> bool:
    tokens = _tokens(norm)
    return "loss" in norm and not tokens & VAL_TOKENS and "test" not in tokens and not tokens & NOT_A_LOSS


def is_lr(norm: str) -> bool:
    tokens = _tokens(norm)
    return "lr" in tokens or "learning_rate" in norm or norm.startswith("lr_")


def is_grad_norm(norm: str) -> bool:
    return ("grad" in norm and "norm" in norm) or norm in ("total_norm", "gnorm")


def is_step(norm: str) -> bool:
    return norm in STEP_NAMES


def is_epoch(norm: str) -> bool:
    return norm in EPOCH_NAMES


def interesting(name: str) -> bool:
    """Worth keeping while streaming: it may be picked for some role."""
    n = normalise(name)
    return is_train_loss(n) or is_val_loss(n) or is_lr(n) or is_grad_norm(n) or is_step(n) or is_epoch(n)


def _best(names: Sequence[str], test, preferred: Sequence[str], prefer_tokens: Iterable[str] = ()) -> str | None:
    """The best name among `names` that pass `test`: an exact preferred name
    first (in the preferred order), then one carrying a preferred token, then
    the shortest (a total beats its parts: `loss` before `loss_cls`)."""
    normed = [(normalise(n), i, n) for i, n in enumerate(names)]
    candidates = [(nn, i, n) for nn, i, n in normed if test(nn)]
    if not candidates:
        return None
    rank = {p: k for k, p in enumerate(preferred)}
    tokens = set(prefer_tokens)

    def key(item):
        nn, i, _ = item
        if nn in rank:
            return (0, rank[nn], i)
        return (1 if _tokens(nn) & tokens else 2, len(nn), i)

    return min(candidates, key=key)[2]


def pick(names: Sequence[str], explicit: dict[str, str | None]) -> dict[str, str | None]:
    """Map each role to a column name (or None). `explicit` names must exist
    (the caller checks); they are never reused for another role."""
    chosen: dict[str, str | None] = {}
    taken = {v for v in explicit.values() if v}
    free = [n for n in names if n not in taken]
    tests = {
        "train": (is_train_loss, TRAIN_PREFERRED, ("train",)),
        "val": (is_val_loss, VAL_PREFERRED, ("val",)),
        "lr": (is_lr, ("lr", "learning_rate"), ()),
        "grad_norm": (is_grad_norm, ("grad_norm", "gradient_norm", "grad_norm_total", "grad_2_0_norm_total"), ("total",)),
    }
    for role in ROLES:
        if explicit.get(role):
            chosen[role] = explicit[role]
            continue
        test, preferred, tokens = tests[role]
        name = _best(free, test, preferred, tokens)
        chosen[role] = name
        if name is not None:
            free.remove(name)
    return chosen


def step_column(names: Sequence[str]) -> str | None:
    for wanted in STEP_NAMES:
        for n in names:
            if normalise(n) == wanted:
                return n
    return None


def epoch_column(names: Sequence[str]) -> str | None:
    for n in names:
        if is_epoch(normalise(n)):
            return n
    return None
