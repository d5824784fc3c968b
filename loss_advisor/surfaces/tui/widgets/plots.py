"""Pictures of probe results (textual-plotext), drawn from the saved findings.

A plot is chosen by the data a record carries, not by the probe's name, so
the same pictures serve a probe, a training log and a watched script: an LR
range test (`lrs`, `losses`), loss curves (`train`, `val`), per-layer
gradient norms (`layers`), one-batch overfitting (`user_curve`).
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

from textual_plotext import PlotextPlot

from loss_advisor.core.engine import format_value
from loss_advisor.core.i18n import t
from loss_advisor.core.records import ProbeRecord

# Plot styles in plotext's names; markers that read well in a terminal.
MARKER = "braille"


def _finite(xs: Iterable[Any], ys: Iterable[Any]) -> tuple[list[float], list[float]]:
    px, py = [], []
    for x, y in zip(xs, ys):
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and math.isfinite(x) and math.isfinite(y):
            px.append(float(x))
            py.append(float(y))
    return px, py


def _log10(values: Sequence[float]) -> list[float]:
    return [math.log10(v) if v > 0 else float("nan") for v in values]


def _clamp(ys: list[float], reference: list[float]) -> list[float]:
    """Cap values far above where the curve started, so that one blow-up does
    not flatten the rest (and plotext need not draw lines far off the canvas)."""
    finite = [v for v in reference if v > 0]
    if not finite:
        return ys
    top = 4 * max(finite[0], sorted(finite)[len(finite) // 2])
    return [min(v, top) for v in ys]


def kind_of(findings: Mapping[str, Any]) -> str | None:
    if isinstance(findings.get("lrs"), list) and isinstance(findings.get("losses"), list):
        return "lr"
    if isinstance(findings.get("train"), Mapping) and findings["train"].get("losses"):
        return "curve"
    if isinstance(findings.get("layers"), list) and findings["layers"] and isinstance(findings["layers"][0], Mapping):
        return "gradients"
    if isinstance(findings.get("user_curve"), list):
        return "overfit"
    return None


class ProbePlot(PlotextPlot):
    """One record's picture; `draw` says whether it had one."""

    def draw(self, summary: ProbeRecord | None, lang: str) -> bool:
        plt = self.plt
        plt.clear_figure()
        kind = kind_of(summary.findings) if summary is not None else None
        if kind is not None:
            getattr(self, f"_{kind}")(plt, summary.findings, lang)
        self.refresh()
        return kind is not None

    def _lr(self, plt, f: Mapping[str, Any], lang: str) -> None:
        lrs = [v for v in f["lrs"]]
        x, raw = _finite(_log10([v if isinstance(v, (int, float)) else float("nan") for v in lrs]), f["losses"])
        y = _clamp(raw, raw)
        plt.title(t("tui.plot.lr", lang))
        plt.plot(x, y, marker=MARKER, label=t("tui.plot.loss", lang))
        if isinstance(f.get("smoothed"), list):
            sx, sy = _finite(_log10([v if isinstance(v, (int, float)) else float("nan") for v in lrs]), f["smoothed"])
            plt.plot(sx, _clamp(sy, raw), marker=MARKER, label=t("tui.plot.smoothed", lang))
        for key, label, color in (("user_lr", "tui.plot.lr_user", "red"),
                                  ("suggested_lr", "tui.plot.lr_suggested", "green"),
                                  ("divergence_lr", "tui.plot.lr_divergence", "magenta")):
            value = f.get(key)
            if isinstance(value, (int, float)) and value > 0 and math.isfinite(value):
                position = math.log10(value)
                plt.vline(position, color)
                # a one-point series puts the label in the legend
                plt.scatter([position], [min(y) if y else 0], marker="dot", color=color,
                            label=t(label, lang, value=format_value(value)))
        plt.xlabel("log10(lr)")

    def _curve(self, plt, f: Mapping[str, Any], lang: str) -> None:
        plt.title(t("tui.plot.curve", lang))
        train = f["train"]
        x, raw = _finite(train.get("steps") or range(len(train["losses"])), train["losses"])
        plt.plot(x, _clamp(raw, raw), marker=MARKER, label=t("tui.plot.train", lang))
        val = f.get("val")
        if isinstance(val, Mapping) and val.get("losses"):
            vx, vy = _finite(val.get("steps") or range(len(val["losses"])), val["losses"])
            plt.plot(vx, _clamp(vy, raw), marker=MARKER, label=t("tui.plot.val", lang))
        plt.xlabel(t("tui.plot.step", lang))

    def _gradients(self, plt, f: Mapping[str, Any], lang: str) -> None:
        plt.title(t("tui.plot.gradients", lang))
        xs, norms = [], []
        for i, row in enumerate(f["layers"]):
            norm = row.get("grad_norm")
            if isinstance(norm, (int, float)) and norm > 0 and math.isfinite(norm):
                xs.append(i + 1)
                norms.append(math.log10(norm))
        if norms:
            plt.plot(xs, norms, marker="dot")
            plt.scatter(xs, norms, marker="o")
            plt.xticks(xs, [str(x) for x in xs])
        plt.xlabel(t("tui.plot.layer", lang))

    def _overfit(self, plt, f: Mapping[str, Any], lang: str) -> None:
        plt.title(t("tui.plot.overfit", lang))
        user = f["user_curve"]
        x, y = _finite(range(len(user)), user)
        plt.plot(x, _clamp(y, y), marker=MARKER, label=t("tui.plot.user_curve", lang))
        ref = f.get("reference_curve")
        if isinstance(ref, list) and ref:
            rx, ry = _finite(range(len(ref)), ref)
            plt.plot(rx, _clamp(ry, y), marker=MARKER, label=t("tui.plot.reference_curve", lang))
        plt.xlabel(t("tui.plot.step", lang))
