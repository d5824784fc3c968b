"""Pictures of probe records (textual-plotext), drawn from their typed artifacts.

The view model (loss_advisor.core.view.picture) chooses the picture by the
artifacts a record carries, not by the probe's name, so the same pictures
serve a probe, a training log and a watched script: an LR range test (the
`sweep` curve), loss curves (`train`, `val`), per-layer gradient norms (the
`layers` table), one-batch overfitting (`user_curve`). This module only draws.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

from textual_plotext import PlotextPlot

from loss_advisor.core.i18n import t
from loss_advisor.core.records import ProbeRecord
from loss_advisor.core.view import Picture, fmt_number, picture

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


def kind_of(record: ProbeRecord | None) -> str | None:
    """Which picture a record gets (the view model decides)."""
    shown = picture(record)
    return shown.kind if shown is not None else None


class ProbePlot(PlotextPlot):
    """One record's picture; `draw` says whether it had one."""

    def draw(self, summary: ProbeRecord | None, lang: str) -> bool:
        return self.draw_picture(picture(summary), lang)

    def draw_picture(self, shown: Picture | None, lang: str) -> bool:
        plt = self.plt
        plt.clear_figure()
        if shown is not None:
            getattr(self, f"_{shown.kind}")(plt, shown, lang)
        self.refresh()
        return shown is not None

    def _lr(self, plt, shown: Picture, lang: str) -> None:
        sweep = shown.curves["sweep"]
        log_lrs = _log10([v if isinstance(v, (int, float)) else float("nan") for v in sweep.x])
        x, raw = _finite(log_lrs, sweep.series["losses"])
        y = _clamp(raw, raw)
        plt.title(t("tui.plot.lr", lang))
        plt.plot(x, y, marker=MARKER, label=t("tui.plot.loss", lang))
        if sweep.series.get("smoothed"):
            sx, sy = _finite(log_lrs, sweep.series["smoothed"])
            plt.plot(sx, _clamp(sy, raw), marker=MARKER, label=t("tui.plot.smoothed", lang))
        for key, label, color in (("user_lr", "tui.plot.lr_user", "red"),
                                  ("suggested_lr", "tui.plot.lr_suggested", "green"),
                                  ("divergence_lr", "tui.plot.lr_divergence", "magenta")):
            value = sweep.marks.get(key)
            if isinstance(value, (int, float)) and value > 0 and math.isfinite(value):
                position = math.log10(value)
                plt.vline(position, color)
                # a one-point series puts the label in the legend
                plt.scatter([position], [min(y) if y else 0], marker="dot", color=color,
                            label=t(label, lang, value=fmt_number(value, 3)))
        plt.xlabel("log10(lr)")

    def _curve(self, plt, shown: Picture, lang: str) -> None:
        plt.title(t("tui.plot.curve", lang))
        x, raw = shown.curves["train"].finite("losses")
        plt.plot(x, _clamp(raw, raw), marker=MARKER, label=t("tui.plot.train", lang))
        val = shown.curves.get("val")
        if val is not None and val.series.get("losses"):
            vx, vy = val.finite("losses")
            plt.plot(vx, _clamp(vy, raw), marker=MARKER, label=t("tui.plot.val", lang))
        plt.xlabel(t("tui.plot.step", lang))

    def _gradients(self, plt, shown: Picture, lang: str) -> None:
        plt.title(t("tui.plot.gradients", lang))
        xs, norms = [], []
        for i, norm in enumerate(shown.table.column("grad_norm")):
            if isinstance(norm, (int, float)) and norm > 0 and math.isfinite(norm):
                xs.append(i + 1)
                norms.append(math.log10(norm))
        if norms:
            plt.plot(xs, norms, marker="dot")
            plt.scatter(xs, norms, marker="o")
            plt.xticks(xs, [str(x) for x in xs])
        plt.xlabel(t("tui.plot.layer", lang))

    def _overfit(self, plt, shown: Picture, lang: str) -> None:
        plt.title(t("tui.plot.overfit", lang))
        user = shown.curves.get("user_curve")
        x, y = user.finite("losses") if user is not None else ([], [])
        plt.plot(x, _clamp(y, y), marker=MARKER, label=t("tui.plot.user_curve", lang))
        ref = shown.curves.get("reference_curve")
        if ref is not None:
            rx, ry = ref.finite("losses")
            plt.plot(rx, _clamp(ry, y), marker=MARKER, label=t("tui.plot.reference_curve", lang))
        plt.xlabel(t("tui.plot.step", lang))

    def _experiment(self, plt, shown: Picture, lang: str) -> None:
        """Each paired run: the mean loss as is and with the change (named by
        cause when the record holds several)."""
        plt.title(t("tui.plot.experiment", lang))
        several = len(shown.curves) > 1
        for cause, curve in shown.curves.items():
            ax, ay = curve.finite("as_is")
            cx, cy = curve.finite("with_change")
            reference = ay or cy
            for (x, y), key in (((ax, ay), "tui.plot.as_is"), ((cx, cy), "tui.plot.with_change")):
                label = t(key, lang)
                plt.plot(x, _clamp(y, reference), marker=MARKER, label=f"{cause}: {label}" if several else label)
        plt.xlabel(t("tui.plot.step", lang))


class ExperimentPlot(ProbePlot):
    """One cause's paired run, in its detail: drawn once it is mounted."""

    def __init__(self, shown: Picture, lang: str, **kwargs):
        super().__init__(**kwargs)
        self.shown, self.lang = shown, lang

    def on_mount(self) -> None:
        self.draw_picture(self.shown, self.lang)
