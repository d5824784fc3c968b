"""Robust trend statistics in pure Python (no numpy needed).

Mann-Kendall tests for a monotone trend without assuming a shape or a
noise distribution; Theil-Sen estimates its slope as the median of
pairwise slopes, so a few spikes do not move it.
"""
from __future__ import annotations

import math
from statistics import median
from typing import Sequence


def normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def mann_kendall(values: Sequence[float]) -> tuple[float, float]:
    """(z, one-sided p-value for a *decreasing* trend). p is near 0 for a real fall.

    Ties are corrected for in the variance, as in Hamed & Rao (1998).
    """
    n = len(values)
    if n < 4:
        return 0.0, 1.0
    s = 0
    for i in range(n - 1):
        vi = values[i]
        for j in range(i + 1, n):
            d = values[j] - vi
            s += (d > 0) - (d < 0)
    ties: dict[float, int] = {}
    for v in values:
        ties[v] = ties.get(v, 0) + 1
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties.values() if t > 1)) / 18.0
    if var <= 0:
        return 0.0, 1.0
    z = (s - 1) / math.sqrt(var) if s > 0 else ((s + 1) / math.sqrt(var) if s < 0 else 0.0)
    return z, normal_cdf(z)


def theil_sen(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Median of the slopes between all pairs of points."""
    slopes = [(ys[j] - ys[i]) / (xs[j] - xs[i])
              for i in range(len(xs)) for j in range(i + 1, len(xs)) if xs[j] != xs[i]]
    return median(slopes) if slopes else 0.0


def mad(values: Sequence[float]) -> float:
    """Median absolute deviation scaled to match a normal standard deviation."""
    if not values:
        return 0.0
    m = median(values)
    return 1.4826 * median(abs(v - m) for v in values)


def rolling_median(values: Sequence[float], window: int) -> list[float]:
    half = window // 2
    return [median(values[max(0, i - half): i + half + 1]) for i in range(len(values))]


def bin_series(steps: Sequence[float], values: Sequence[float], bins: int) -> tuple[list[float], list[float]]:
    """Median of each of `bins` equal runs of points (fewer points: unchanged)."""
    n = len(values)
    if n <= bins:
        return list(steps), list(values)
    xs, ys = [], []
    for b in range(bins):
        lo, hi = b * n // bins, (b + 1) * n // bins
        if hi > lo:
            xs.append(median(steps[lo:hi]))
            ys.append(median(values[lo:hi]))
    return xs, ys
