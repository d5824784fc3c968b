"""LR range test: loss-advisor's lr_sweep probe side by side with torch-lr-finder.

For each set-up, in one run and on the same model, data and number of
iterations (100, from 1e-7 to 10, exponential):
- wall time of our sweep and of torch-lr-finder's `range_test` (median of
  REPEATS runs each, interleaved), and their ratio;
- the suggested learning rate of each (ours: the end of the steepest descent
  of the centred, smoothed log-loss before its minimum; theirs: the steepest
  gradient of their exponentially smoothed curve, as `plot(suggest_lr=True)`
  computes it);
- the loss after training a fresh copy for TRAIN_STEPS steps at each
  suggestion, with the set-up's own optimizer class (mean over SEEDS seeds);
- the verified suggestion (issue 13): a short paired run at our suggestion
  against the set-up's own rate, as `probe` runs it (the lr_lower/lr_higher
  intervention: same seeds, same batches, same steps); the rate that trained
  lower in it is the one we recommend (the suggestion when it is confirmed
  or at least as good, the user's rate otherwise), trained like the others.

Run: .venv/bin/python benchmarks/lr_finder_compare.py   (needs `pip install -e .[bench]`)
"""
from __future__ import annotations

import contextlib
import io
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loss_advisor.probing.harness import Harness, pick_device  # noqa: E402
from loss_advisor.probes import Budget, Context  # noqa: E402
from loss_advisor.probes.lr_sweep import LRSweepProbe  # noqa: E402
from loss_advisor.probing.target import load_target  # noqa: E402
from loss_advisor.probes.interventions import SIZES, Interventions, Plan  # noqa: E402

SETUPS = [                     # the sweep ignores each set-up's own rate
    "healthy_digits",          # MLP, Adam
    "slow_but_healthy",        # MLP, plain SGD
    "healthy_regression",      # MSE regression, Adam
    "healthy_cnn_train_step",  # CNN with BatchNorm and Dropout, Adam
    "underfitting",            # linear model, Adam
    "label_noise",             # noisy labels, Adam
    "overfitting",             # wide MLP, Adam, tiny data
    "class_imbalance",         # MLP, SGD
    "raw_features",            # unscaled features, SGD with momentum
    "seed_sensitive",          # deep narrow MLP, Adam
    "exploding_rnn",           # ReLU RNN, SGD
]
ITERATIONS = 100
REPEATS = 5
TRAIN_STEPS = 200
SEEDS = (0, 1, 2)


def their_suggestion(history: dict, skip_start: int = 10, skip_end: int = 5) -> float | None:
    """torch-lr-finder's plot(suggest_lr=True) rule, without drawing."""
    lrs, losses = history["lr"], history["loss"]
    if len(lrs) < skip_start + skip_end + 2:
        return None
    lrs, losses = lrs[skip_start:-skip_end], losses[skip_start:-skip_end]
    return float(lrs[int(np.gradient(np.array(losses)).argmin())])


def run_ours(harness: Harness) -> tuple[float, float | None]:
    probe = LRSweepProbe()
    ctx = Context(harness=harness, budget=Budget(ITERATIONS, 1e9), observations={})
    torch.manual_seed(0)
    start = time.perf_counter()
    out = probe.run(ctx)
    return time.perf_counter() - start, out.observations.get("suggested_lr")


def run_theirs(harness: Harness) -> tuple[float, float | None]:
    from torch_lr_finder import LRFinder

    model = harness.fresh_model()
    optimizer = harness.build_optimizer(model, lr=1e-7).optimizer
    torch.manual_seed(0)
    sink = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        finder = LRFinder(model, optimizer, harness.target.loss_fn, device="cpu")
        finder.range_test(harness.target.train_data, start_lr=1e-7, end_lr=10, num_iter=ITERATIONS)
    elapsed = time.perf_counter() - start
    return elapsed, their_suggestion(finder.history)


def train_at(harness: Harness, lr: float | None) -> float:
    """Mean final training loss over seeds after TRAIN_STEPS steps at `lr`."""
    if not lr:
        return math.nan
    finals = []
    for seed in SEEDS:
        torch.manual_seed(seed)
        model = harness.fresh_model()
        opt = harness.build_optimizer(model, lr=lr).optimizer
        run = harness.train(model, opt, TRAIN_STEPS)
        if not run.losses or not math.isfinite(run.losses[-1]):
            finals.append(math.inf)
            continue
        finals.append(harness.eval_loss(model, harness.batches))
    return statistics.fmean(finals)


def verified(harness: Harness, suggested: float | None) -> tuple[float | None, str]:
    """The rate the verification recommends, and the paired run's verdict."""
    user = harness.user_lr
    if not suggested or not user:
        return suggested, "-"
    if math.isclose(suggested, user, rel_tol=1e-6):
        return user, "same"
    mechanism = "lr_lower" if suggested < user else "lr_higher"
    outcome = Interventions(harness, {"lr_sweep.suggested_lr": suggested}, SIZES["fast"]).run(
        [Plan("lr", mechanism)])["lr"]
    as_is, changed = outcome.get("loss_as_is"), outcome.get("loss_with_change")
    better = changed is not None and (as_is is None or changed <= as_is)
    return (suggested if better else user), outcome.get("verdict", "inconclusive")


def main() -> int:
    torch.set_num_threads(1)
    device = pick_device("cpu")
    rows = []
    for name in SETUPS:
        harness = Harness(load_target(f"{ROOT / 'examples' / name}.py:target"), device)
        ours_t, theirs_t = [], []
        for _ in range(REPEATS):        # interleaved so both see the same machine load
            t, our_lr = run_ours(harness)
            ours_t.append(t)
            t, their_lr = run_theirs(harness)
            theirs_t.append(t)
        ours, theirs = statistics.median(ours_t), statistics.median(theirs_t)
        check_start = time.perf_counter()
        ver_lr, verdict = verified(harness, our_lr)
        check_s = time.perf_counter() - check_start
        rows.append((name, ours, theirs, ours / theirs, our_lr, their_lr,
                     train_at(harness, our_lr), train_at(harness, their_lr),
                     ver_lr, verdict, check_s, train_at(harness, ver_lr), harness.user_lr))
    print(f"torch {torch.__version__}, {ITERATIONS} iterations, median of {REPEATS}, 1 thread, CPU")
    print(f"{'set-up':20} {'ours s':>7} {'theirs s':>8} {'ratio':>6} {'our lr':>9} {'their lr':>9} "
          f"{'loss@ours':>10} {'loss@theirs':>11} {'user lr':>8} {'verified':>9} {'verdict':>12} {'check s':>8} "
          f"{'loss@verif':>10}")
    for name, o, t, r, ol, tl, lo, lt, vl, verdict, cs, lv, ul in rows:
        fmt = lambda v: f"{v:.3g}" if v else "-"
        print(f"{name:20} {o:7.3f} {t:8.3f} {r:6.2f} {fmt(ol):>9} {fmt(tl):>9} {lo:10.4f} {lt:11.4f} "
              f"{fmt(ul):>8} {fmt(vl):>9} {verdict:>12} {cs:8.2f} {lv:10.4f}")
    ratios = [r[3] for r in rows]
    wins = sum(1 for r in rows if r[6] <= r[7] + 1e-9)
    both = [(r[6], r[7]) for r in rows if math.isfinite(r[6]) and math.isfinite(r[7])]
    geo = math.exp(statistics.fmean(math.log((a + 1e-6) / (b + 1e-6)) for a, b in both)) if both else math.nan
    print(f"median time ratio {statistics.median(ratios):.2f} (max {max(ratios):.2f}); "
          f"trained at least as low at our suggestion in {wins}/{len(rows)} set-ups; "
          f"geometric mean of loss(ours)/loss(theirs) {geo:.2f}")
    ver_wins = sum(1 for r in rows if r[11] <= r[7] + 1e-9)
    pairs = [(r[11], r[7]) for r in rows if math.isfinite(r[11]) and math.isfinite(r[7])]
    ver_geo = math.exp(statistics.fmean(math.log((a + 1e-6) / (b + 1e-6)) for a, b in pairs)) if pairs else math.nan
    print(f"verified suggestion: trained at least as low as torch-lr-finder's in {ver_wins}/{len(rows)} set-ups; "
          f"geometric mean of loss(verified)/loss(theirs) {ver_geo:.2f}; verification took median "
          f"{statistics.median(r[10] for r in rows):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
