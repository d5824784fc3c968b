"""Unit tests for the probes' pure functions: the LR-curve analysis
(probes/lr_sweep.py), output-kind and task inference (probes/init_loss.py)
and the trend statistics (core/stats.py, core/curves.py). Each case is a
curve or tensor whose answer is known by construction."""
from __future__ import annotations

import math
import random

import pytest
import torch

from loss_advisor.core import curves, stats
from loss_advisor.probes import init_loss, lr_sweep


# --- the LR range test's curve ----------------------------------------------------

def sweep(n: int = 100, lo: float = 1e-7, hi: float = 10.0):
    return [lo * (hi / lo) ** (i / (n - 1)) for i in range(n)]


def valley(lrs, best_lr=1e-2, floor=0.1, start=2.3, blow_at=None):
    """A loss flat at `start` for tiny rates, falling to `floor` around
    `best_lr`, and rising steeply (x50 per decade) past it."""
    out = []
    for lr in lrs:
        d = math.log10(lr / best_lr)
        if d <= 0:
            out.append(floor + (start - floor) / (1 + math.exp(3 * (d + 2))))   # the descent is 1-3 decades below best_lr
        else:
            out.append(floor * 50 ** d)
    return out


def test_centered_smooth_keeps_a_line_and_shrinks_at_the_ends():
    assert lr_sweep.centered_smooth([1.0, 2.0, 3.0, 4.0, 5.0], 3) == [1.5, 2.0, 3.0, 4.0, 4.5]
    assert lr_sweep.centered_smooth([7.0], 5) == [7.0]


def test_landmarks_of_a_valley():
    lrs = sweep()
    land = lr_sweep.analyse(lrs, valley(lrs), diverged_lr=None)
    assert 3e-3 <= land["min_loss_lr"] <= 3e-2                     # the floor is at 1e-2
    assert 1e-6 <= land["descent_start_lr"] < land["min_loss_lr"]
    assert land["descent_start_lr"] <= land["steepest_lr"] <= land["suggested_lr"] <= land["min_loss_lr"]
    assert land["loss_drop"] == pytest.approx(1 - 0.1 / 2.3, abs=0.05)
    # Past the minimum the loss climbs by DIVERGE_FACTOR over its best and
    # above its start: that rate is the divergence point.
    assert land["min_loss_lr"] < land["divergence_lr"] <= 1.0
    assert len(land["smoothed"]) == len(lrs)


def test_divergence_needs_the_factor_and_a_rise_above_the_start():
    lrs = sweep()
    # Climbs back only to 3x its best, below the start: no divergence.
    mild = [min(v, 0.3) for v in valley(lrs)]
    assert "divergence_lr" not in lr_sweep.analyse(lrs, mild, diverged_lr=None)
    # An early stop during the sweep is taken as given.
    assert lr_sweep.analyse(lrs, valley(lrs), diverged_lr=0.5)["divergence_lr"] == 0.5


def test_a_flat_sweep_suggests_nothing():
    lrs = sweep()
    land = lr_sweep.analyse(lrs, [1.0] * len(lrs), diverged_lr=None)
    assert land["loss_drop"] == pytest.approx(0.0, abs=1e-9)
    assert "suggested_lr" not in land and "descent_start_lr" not in land and "divergence_lr" not in land


def test_a_short_sweep_keeps_only_its_divergence():
    assert lr_sweep.analyse([1e-7, 1e-6], [2.3, 2.2], diverged_lr=1e-5) == {"divergence_lr": 1e-5}
    assert lr_sweep.analyse([1e-7, 1e-6], [2.3, 2.2], diverged_lr=None) == {}


def test_a_loss_that_can_be_negative_is_read_on_its_own_scale():
    lrs = sweep()
    shifted = [v - 1.0 for v in valley(lrs)]                       # goes below zero: no log
    land = lr_sweep.analyse(lrs, shifted, diverged_lr=None)
    assert 3e-3 <= land["min_loss_lr"] <= 3e-2
    assert "divergence_lr" not in land                             # the ratio test needs a positive loss


# --- output kind and task ----------------------------------------------------------

@pytest.mark.parametrize("make, kind", [
    (lambda z: z, "logits"),
    (lambda z: z.softmax(1), "probabilities"),
    (lambda z: z.log_softmax(1), "log_probabilities"),
    (lambda z: z[:, :1].sigmoid(), "unit_interval"),
    (lambda z: z[:, :1], "logits"),
    (lambda z: torch.full_like(z, float("nan")), "other"),
])
def test_output_kind(make, kind):
    z = torch.randn(16, 5, generator=torch.Generator().manual_seed(0)) * 3
    assert init_loss.output_kind(make(z)) == kind


def test_few_sigmoid_outputs_are_not_called_unit_interval():
    # Fewer than 8 values inside (0, 1) could be logits by chance.
    assert init_loss.output_kind(torch.tensor([[0.2], [0.7]])) == "logits"


@pytest.mark.parametrize("out_shape, targets, task", [
    ((8, 3), torch.tensor([0, 1, 2, 1, 0, 2, 1, 0]), "classification"),
    ((8, 1), torch.tensor([0, 1, 1, 0, 1, 0, 0, 1]), "binary"),
    ((4, 3, 5, 5), torch.zeros(4, 5, 5, dtype=torch.long), "segmentation"),
    ((8, 1), torch.tensor([[0.0], [1.0]] * 4), "binary"),
    ((8, 3), torch.eye(3)[[0, 1, 2, 0, 1, 2, 0, 1]], "binary"),                # 0/1 floats: multi-label
    ((8, 3), torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]] * 4), "classification"),   # soft labels
    ((8, 1), torch.linspace(-2, 5, 8).unsqueeze(1), "regression"),
])
def test_infer_task(out_shape, targets, task):
    assert init_loss.infer_task(None, torch.zeros(out_shape), targets) == task


def test_a_declared_task_wins():
    assert init_loss.infer_task("regression", torch.zeros(8, 3), torch.tensor([0, 1, 2] * 2 + [0, 1])) == "regression"
    assert init_loss.infer_task(None, torch.zeros(8, 3), None) == "unknown"


def test_loss_kind_by_class():
    assert init_loss.loss_kind(torch.nn.CrossEntropyLoss()) == "cross_entropy"
    assert init_loss.loss_kind(torch.nn.MSELoss()) == "regression"
    assert init_loss.loss_kind(lambda o, t: (o - t).abs().mean()) == "custom"


# --- trend statistics --------------------------------------------------------------

def test_mann_kendall_on_a_fall_a_rise_and_noise():
    z, p = stats.mann_kendall([10 - i for i in range(30)])
    assert z < -5 and p < 1e-6
    z, p = stats.mann_kendall([float(i) for i in range(30)])
    assert z > 5 and p > 1 - 1e-6
    rng = random.Random(1)
    _, p = stats.mann_kendall([rng.gauss(0, 1) for _ in range(200)])
    assert 0.01 < p < 0.99
    assert stats.mann_kendall([1.0, 2.0, 3.0]) == (0.0, 1.0)           # too few points
    assert stats.mann_kendall([5.0] * 10) == (0.0, 1.0)                # all tied


def test_mann_kendall_known_value():
    # 1..10 strictly falling: S = -45, var = 10*9*25/18 = 125, z = -44/sqrt(125).
    z, p = stats.mann_kendall([float(10 - i) for i in range(10)])
    assert z == pytest.approx(-44 / math.sqrt(125))
    assert p == pytest.approx(stats.normal_cdf(z))


def test_theil_sen_ignores_an_outlier():
    xs = [float(i) for i in range(20)]
    ys = [2 * x + 1 for x in xs]
    ys[7] = 1000.0
    assert stats.theil_sen(xs, ys) == pytest.approx(2.0)
    assert stats.theil_sen([1.0, 1.0], [0.0, 5.0]) == 0.0


def test_mad_rolling_median_and_bins():
    assert stats.mad([1.0, 2.0, 3.0, 4.0, 100.0]) == pytest.approx(1.4826)
    assert stats.mad([]) == 0.0
    assert stats.rolling_median([1.0, 9.0, 2.0, 8.0, 3.0], 3) == [5.0, 2.0, 8.0, 3.0, 5.5]
    xs, ys = stats.bin_series(list(range(10)), [float(v) for v in range(10)], 5)
    assert ys == [0.5, 2.5, 4.5, 6.5, 8.5] and len(xs) == 5
    assert stats.bin_series([0, 1], [3.0, 4.0], 5) == ([0, 1], [3.0, 4.0])


def test_curve_analysis_of_a_clean_exponential_fall():
    steps = list(range(200))
    obs = curves.analyse(steps, [2.3 * math.exp(-s / 50) + 0.05 for s in steps]).observations
    assert obs["relative_drop"] > 0.9 and obs["trend_p"] < 1e-6 and obs["trend_total"] < -1
    assert obs["peak_ratio"] == pytest.approx(1.0, abs=0.05)
    assert obs["noise"] < 0.01 and "nonfinite_step" not in obs


def test_curve_analysis_of_a_flat_noisy_loss():
    rng = random.Random(3)
    steps = list(range(300))
    obs = curves.analyse(steps, [2.3 * math.exp(rng.gauss(0, 0.05)) for _ in steps]).observations
    assert abs(obs["relative_drop"]) < 0.05 and obs["trend_p"] > 0.01
    assert abs(obs["trend_total"]) < 0.05
    assert 0.02 < obs["noise"] < 0.1                                  # close to the 0.05 drawn


def test_curve_analysis_finds_the_first_non_finite_step():
    steps = list(range(0, 100, 10))
    losses = [1.0, 0.9, 0.8, float("nan"), 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
    obs = curves.analyse(steps, losses).observations
    assert obs["nonfinite_step"] == 30 and obs["nonfinite_at"] == pytest.approx(30 / 90)
    assert "relative_drop" not in obs                                  # only 3 finite points before it


def test_curve_analysis_sees_validation_turn_up():
    steps = list(range(400))
    train = [2.0 * math.exp(-s / 80) + 0.01 for s in steps]
    vsteps = list(range(0, 400, 20))
    val = [1.0 + ((s - 150) / 150) ** 2 for s in vsteps]              # lowest at step 150, back up after
    obs = curves.analyse(steps, train, vsteps, val).observations
    assert obs["val_rise"] > 0.5 and obs["val_rise_p"] < 0.05
    assert 0.25 < obs["val_min_at"] < 0.5
    assert obs["train_drop_after_val_min"] > 0.5 and obs["gap_ratio"] > 10


def test_seed_runs_are_compared_at_the_steps_they_all_reached():
    """A time cap that stops the last seed's run early must not read as seed
    sensitivity; a diverged run keeps its non-finite end."""
    from loss_advisor.probes.seeds import same_length
    full = (list(range(10)), [2.0 - 0.1 * i for i in range(10)])
    cut = (list(range(4)), [2.0 - 0.1 * i for i in range(4)])
    diverged = (list(range(3)), [2.0, 5.0, float("nan")])
    same = same_length([full, full, cut])
    assert [len(losses) for _, losses in same] == [4, 4, 4]
    assert {losses[-1] for _, losses in same} == {cut[1][-1]}
    kept = same_length([full, diverged, cut])
    assert [len(losses) for _, losses in kept] == [4, 3, 4]
