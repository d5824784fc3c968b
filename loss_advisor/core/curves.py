"""Read a loss curve: non-finite values, divergence, trend, noise, plateau,
and the train/validation gap.

One analysis for every source of curves: the short training run of the
probe suite, a training log (``loss-advisor logs``) and a watched script
(``loss-advisor watch``). It produces ``curve.*`` observations, which the
knowledge base's symptom questions read. Pure Python, torch-free.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from statistics import median
from typing import Any, Sequence

from loss_advisor.core.observations import declare
from loss_advisor.core.stats import bin_series, mad, mann_kendall, normal_cdf, rolling_median, theil_sen

# Bins for the trend test: medians of equal runs of steps. Binning removes
# most of the step-to-step dependence of minibatch losses, and bounds the
# O(n^2) Mann-Kendall sum for a million-row log.
TREND_BINS = 40
MAX_POINTS = 5000

OBSERVATIONS = declare(
    "curve",
    ("points", "count", "training-loss points in the curve", "曲線に含まれる訓練lossの点数"),
    ("nonfinite_step", "step", "first step whose loss is NaN or inf (absent when none)", "lossが最初にNaN/infになったステップ(なければ無し)"),
    ("nonfinite_at", "fraction", "how far into the run the loss first became NaN or inf (0 = at once)", "lossが最初にNaN/infになった位置(0=直後)"),
    ("start_loss", "loss", "loss at the start (median of the first tenth)", "開始時のloss(最初の1/10の中央値)"),
    ("end_loss", "loss", "loss at the end (median of the last tenth)", "終了時のloss(最後の1/10の中央値)"),
    ("relative_drop", "fraction", "share of the starting loss lost by the end (negative when it rose)", "開始時lossに対する終了時までの減少割合(上昇なら負)"),
    ("peak_ratio", "ratio", "highest smoothed loss over the starting loss", "平滑化lossの最大値 ÷ 開始時loss"),
    ("trend_p", "p-value", "Mann-Kendall p-value that the loss is not falling (small: a real fall)", "lossが下がっていないとするMann-Kendall検定のp値(小さいほど確かな減少)"),
    ("trend_total", "log-change", "Theil-Sen trend of log-loss over the whole run (negative: falling)", "実行全体でのlog(loss)のTheil-Sen傾向(負=減少)"),
    ("noise", "log-scale", "step-to-step noise of log-loss (robust standard deviation)", "log(loss)のステップ間ノイズ(ロバスト標準偏差)"),
    ("noise_to_trend", "ratio", "noise over the size of the trend (large: the fall hides in noise)", "ノイズ ÷ 傾向の大きさ(大きいほど減少がノイズに埋もれる)"),
    ("late_drop", "fraction", "share of the loss lost over the last 40% of the run", "実行の最後の40%でのlossの減少割合"),
    ("val_points", "count", "validation-loss points", "検証lossの点数"),
    ("val_rise", "fraction", "how far the validation loss ends above its minimum", "検証lossが最小値からどれだけ上がって終わったか"),
    ("val_min_at", "fraction", "how far into the run the validation loss was lowest", "検証lossが最小になった位置(実行全体に対する割合)"),
    ("train_drop_after_val_min", "fraction", "share of the training loss lost after the validation minimum", "検証lossの最小点以降の訓練lossの減少割合"),
    ("val_rise_p", "p-value", "Mann-Kendall p-value that the validation loss does not rise after its minimum (small: a real rise)", "最小点以降に検証lossが上昇していないとするMann-Kendall検定のp値(小さいほど確かな上昇)"),
    ("gap_ratio", "ratio", "validation over training loss at the end", "終了時の検証loss ÷ 訓練loss"),
    ("val_relative_drop", "fraction", "share of the starting validation loss lost by the end", "開始時の検証lossに対する終了時までの減少割合"),
)


@dataclass
class CurveAnalysis:
    observations: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def _finite_prefix(steps: Sequence[float], values: Sequence[float]) -> tuple[list[float], list[float], float | None]:
    xs, ys = [], []
    for x, y in zip(steps, values):
        if y is None or not math.isfinite(y):
            return xs, ys, x
        xs.append(x)
        ys.append(y)
    return xs, ys, None


def _level(values: Sequence[float], head: bool) -> float:
    """The starting level (median of the first 5 points: early enough that a
    fast start is not already over) or the end level (median of the last tenth)."""
    part = values[:5] if head else values[-max(3, len(values) // 10):]
    return median(part)


def analyse(train_steps: Sequence[float], train_losses: Sequence[float],
            val_steps: Sequence[float] | None = None, val_losses: Sequence[float] | None = None,
            start_level: float | None = None) -> CurveAnalysis:
    """Read a curve. `start_level`: the loss before training when it is known
    (the short run measures it on several batches at the initial weights);
    otherwise the median of the first five points stands in for it, which a
    blow-up within those steps would inflate."""
    result = CurveAnalysis()
    obs = result.observations
    xs, ys, bad_step = _finite_prefix(train_steps, train_losses)
    obs["points"] = len(train_losses)
    if bad_step is not None:
        obs["nonfinite_step"] = bad_step
        first, last = (train_steps[0], train_steps[-1]) if len(train_steps) else (0, 0)
        obs["nonfinite_at"] = (bad_step - first) / (last - first) if last > first else 0.0
    if len(ys) >= 8:
        _train(xs, ys, obs, result.details, start_level)
    if val_steps is not None and val_losses is not None:
        vx, vy, _ = _finite_prefix(val_steps, val_losses)
        obs["val_points"] = len(vy)
        if len(vy) >= 4 and len(ys) >= 8:
            _validation(xs, ys, vx, vy, obs)
        result.details["val"] = {"steps": list(vx), "losses": list(vy)}
    return result


def _train(xs: list[float], ys: list[float], obs: dict, details: dict, start_level: float | None) -> None:
    positive = min(ys) > 0
    logs = [math.log(v) for v in ys] if positive else list(ys)
    start = start_level if start_level is not None and math.isfinite(start_level) else _level(ys, True)
    end = _level(ys, False)
    obs["start_loss"], obs["end_loss"] = start, end
    if start != 0:
        obs["relative_drop"] = (start - end) / abs(start)
    # Long logs are first reduced to medians of equal runs of steps, which
    # keeps every statistic below O(n log n) for a million points.
    _, coarse = bin_series(xs, ys, MAX_POINTS)
    smooth = rolling_median(coarse, max(3, (len(coarse) // 20) | 1))
    if start > 0:
        obs["peak_ratio"] = max(smooth) / start
    bx, by = bin_series(xs, logs, TREND_BINS)
    _, p = mann_kendall(by)
    obs["trend_p"] = p
    span = (bx[-1] - bx[0]) if len(bx) > 1 else 0.0
    slope = theil_sen(bx, by) if span else 0.0
    obs["trend_total"] = slope * span if positive else (slope * span / abs(start) if start else 0.0)
    # Noise: residuals around a running median, on a sample of at most 5,000 points.
    sample = bin_series(xs, logs, MAX_POINTS)[1] if len(logs) > MAX_POINTS else logs
    resid = [a - b for a, b in zip(sample, rolling_median(sample, max(5, (len(sample) // 25) | 1)))]
    noise = mad(resid) if positive else mad(resid) / (abs(start) or 1.0)
    obs["noise"] = noise
    if obs["trend_total"] != 0:
        obs["noise_to_trend"] = noise / abs(obs["trend_total"])
    cut = int(len(ys) * 0.6)
    mid = median(ys[max(0, cut - max(3, len(ys) // 10)): cut + 1]) if cut > 0 else start
    if mid != 0:
        obs["late_drop"] = (mid - end) / abs(mid)
    details["binned"] = {"steps": bx, "values": [math.exp(v) for v in by] if positive else by}


def _validation(xs: list[float], ys: list[float], vx: list[float], vy: list[float], obs: dict) -> None:
    # Smoothing grows with the number of points: a log with a validation
    # loss every few steps is far noisier point to point than 25 evaluations.
    _, coarse_vy = bin_series(vx, vy, MAX_POINTS)
    smooth = rolling_median(coarse_vy, max(3, (len(coarse_vy) // 10) | 1)) if len(coarse_vy) >= 5 else list(coarse_vy)
    vx = bin_series(vx, vy, MAX_POINTS)[0]
    i_min = min(range(len(smooth)), key=lambda i: smooth[i])
    v_min, v_end = smooth[i_min], smooth[-1]
    if v_min > 0:
        obs["val_rise"] = v_end / v_min - 1
    span = (vx[-1] - vx[0]) or 1.0
    obs["val_min_at"] = (vx[i_min] - vx[0]) / span
    after = vy[i_min:]
    if len(after) >= 5:
        z, _ = mann_kendall(after)
        obs["val_rise_p"] = 1.0 - normal_cdf(z)   # one-sided: rising
    v_start = smooth[0]
    if v_start:
        obs["val_relative_drop"] = (v_start - v_end) / abs(v_start)
    # Training loss around the validation minimum and at the end.
    # Training losses within one validation interval of the minimum (xs are
    # sorted steps, so two bisections find them without scanning a long log).
    half_width = span / max(len(vx), 1)
    lo = bisect.bisect_left(xs, vx[i_min] - half_width)
    hi = bisect.bisect_right(xs, vx[i_min] + half_width)
    if hi > lo:
        t_at_min = median(ys[lo:hi])
    else:
        nearest = min(max(lo, 0), len(ys) - 1)
        t_at_min = ys[nearest]
    t_end = _level(ys, False)
    if t_at_min:
        obs["train_drop_after_val_min"] = (t_at_min - t_end) / abs(t_at_min)
    if t_end > 0:
        obs["gap_ratio"] = v_end / t_end
