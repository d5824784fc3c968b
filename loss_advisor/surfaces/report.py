"""Markdown troubleshooting reports, rendered with jinja2 from a Result.

One set of templates (loss_advisor/surfaces/templates/) serves every mode: `probe
--format markdown`, `ask --format markdown`, the TUI's export and `report
RESULT.json`. A user may pass their own template, which can extend ours.

Escaping is on by default: every ``{{ ... }}`` in a template is escaped as
one line of inline Markdown unless a filter marked it as already safe
(`Md`). Text from the user's side (class names, exception messages, file
names, column names) therefore cannot open a code fence, end a table row,
start a heading or close a Mermaid block.

Charts are Mermaid ``xychart-beta`` blocks (GitHub and GitLab render them
with no hosted images) built from the probes' own numbers: long series are
averaged into at most MAX_POINTS bins, and values spanning decades are
plotted as log10 (xychart has no log axis), which the titles say. With
`assets_dir`, the same charts are also drawn as PNG files by matplotlib, at
full resolution, when it is installed. Torch-free except for one optional
look-up of the observations' meanings.
"""
from __future__ import annotations

import logging
import math
import os
import re
import warnings
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote

import jinja2

from loss_advisor.core.errors import UsageError
from loss_advisor.core.i18n import catalogue, pick, t
from loss_advisor.core.result import Result

log = logging.getLogger(__name__)

TEMPLATE = "report.md.j2"
MAX_POINTS = 60          # per chart: enough for a curve's shape, few enough to read the source
MAX_CELL = 300           # characters of user text in one table cell (exception messages can be huge)
LOG_SPAN = 100.0         # plot log10 when positive values span at least this factor
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759")   # line colours, named in the captions


class ReportError(UsageError):
    """A template or asset problem, in one line.

    A UsageError, so that every command that renders a report (probe, ask,
    report, the TUI's export) exits with status 2 and one line, never a
    traceback.
    """


# --- escaping ------------------------------------------------------------------------

class Md(str):
    """Markdown that is already safe: the default escaping leaves it alone."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ALWAYS = set("\\`*|[]~$#")        # characters that can start markup anywhere in a line
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def one_line(value: Any) -> str:
    """The text on one line: whitespace runs (newlines included) become one space, control characters go."""
    if value is None:
        return ""
    return " ".join(_CONTROL.sub("", str(value)).split())


def _escape_inline(text: str) -> str:
    out = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch in _ALWAYS:
            out.append("\\" + ch)
        elif ch == "_":
            # An underscore between two letters or digits can never open or
            # close emphasis (CommonMark's flanking rules): keep snake_case readable.
            inner = 0 < i < last and text[i - 1].isalnum() and text[i + 1].isalnum()
            out.append("_" if inner else "\\_")
        elif ch == "<":
            # Only `<` before a letter, /, ! or ? can open an HTML tag, comment or autolink.
            nxt = text[i + 1] if i < last else ""
            out.append("\\<" if nxt.isalpha() or nxt in "/!?" else "<")
        elif ch == "&":
            out.append("\\&" if _ENTITY.match(text, i) else "&")
        else:
            out.append(ch)
    return "".join(out)


def md_cell(value: Any, limit: int = MAX_CELL) -> Md:
    """Text safe inside a Markdown table cell: one line, markup and pipes escaped."""
    text = one_line(value)
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return Md(_escape_inline(text))


def md_text(value: Any) -> Md:
    """Text safe as a paragraph, list item or heading: md_cell, and no block marker at the start."""
    text = _escape_inline(one_line(value))
    if text[:1] in ("-", "+", "=", ">"):
        text = "\\" + text
    else:
        text = _LIST_NUMBER.sub(r"\1\\\2", text, count=1)
    return Md(text)


def _longest_backtick_run(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


def md_code(value: Any, cell: bool = False) -> Md:
    """An inline code span around one line of text. In a table (`cell=True`)
    its pipes are escaped as GFM asks; text with a backslash there falls back
    to escaped plain text, since `\\|` inside a code span is read differently
    by different parsers."""
    text = one_line(value)
    if not text:
        return Md("")
    if cell:
        if "\\" in text:
            return md_cell(text)
        if len(text) > MAX_CELL:
            text = text[: MAX_CELL - 1] + "…"
        text = text.replace("|", "\\|")
    ticks = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return Md(f"{ticks}{pad}{text}{pad}{ticks}")


def md_fenced(code: Any, info: str = "", indent: int = 0) -> Md:
    """A fenced code block whose fence is longer than any backtick run in the code,
    so nothing inside can close it. `indent` nests it in a list item."""
    body = _CONTROL.sub("", str(code or "").replace("\r\n", "\n").replace("\r", "\n")).rstrip("\n")
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    pad = " " * indent
    lines = [f"{fence}{one_line(info)}"] + body.split("\n") + [fence]
    return Md("\n".join(pad + line if line else line for line in lines))


def html_text(value: Any) -> Md:
    """Text inside an HTML block (a <summary>), where Markdown escapes do not
    apply: one line, HTML-escaped."""
    text = one_line(value)
    for bad, good in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        text = text.replace(bad, good)
    return Md(text)


def mermaid_label(value: Any, limit: int = 60) -> str:
    """Text for inside a quoted Mermaid string: no quote, no backtick, no comment
    or entity start, no angle brackets, one line."""
    text = one_line(value)
    for bad, good in (('"', "'"), ("`", "'"), ("#", " "), ("%", " "), (";", ","), ("<", "‹"), (">", "›")):
        text = text.replace(bad, good)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finalize(value: Any) -> Any:
    """Every ``{{ }}`` output: safe Markdown passes, everything else is escaped text."""
    if isinstance(value, Md):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return fmt_number(value)
    return md_text(value)


# --- numbers -------------------------------------------------------------------------

def fmt_number(value: Any, digits: int = 4) -> Md:
    """A number for reading: integers with thousands separators, floats to `digits` significant digits."""
    if value is None:
        return Md("—")
    if isinstance(value, bool):
        return Md("true" if value else "false")
    if isinstance(value, int):
        return Md(f"{value:,}")
    if isinstance(value, float):
        if math.isnan(value):
            return Md("NaN")
        if math.isinf(value):
            return Md("inf" if value > 0 else "-inf")
        if value == int(value) and abs(value) < 1e15:
            return Md(f"{int(value):,}")
        return Md(f"{value:.{digits}g}")
    return md_cell(value)


def plain_number(value: float, digits: int = 4) -> str:
    """A number Mermaid's xychart can read: no exponent, `digits` significant digits."""
    if value == 0 or not math.isfinite(value):
        return "0"
    decimals = max(0, min(15, digits - 1 - math.floor(math.log10(abs(value)))))
    text = f"{round(value, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_pct(value: Any) -> Md:
    return Md(f"{value:.0%}") if isinstance(value, (int, float)) and not isinstance(value, bool) else md_cell(value)


# --- charts --------------------------------------------------------------------------

@dataclass
class Series:
    name: str
    values: list[float]                      # as plotted: binned, log10 when the chart says so
    raw_x: list[float] = field(default_factory=list)   # full resolution, original units (for PNGs)
    raw_y: list[float] = field(default_factory=list)


@dataclass
class Chart:
    """One chart: what Mermaid draws, the numbers for its table, the raw data for a PNG."""
    key: str                                 # unique in the report; names the PNG file
    title: str
    x_title: str                             # in original units; "log10 " is added where plotted so
    y_title: str
    kind: str                                # "line" or "bar"
    x: list[float]                           # plotted x positions (log10 when log_x)
    x_labels: list[str]                      # the x column of the table, in original units
    series: list[Series]
    log_x: bool = False
    log_y: bool = False
    notes: list[str] = field(default_factory=list)
    categorical: bool = False                # bars, or x values too uneven for a range axis
    image: str | None = None                 # path of the PNG, relative to the report, when written

    def uniform_x(self) -> bool:
        """Whether a numeric range axis fits: xychart spreads points evenly over
        it, so each x must sit within 1% of the plot's width of its even slot."""
        if self.categorical or len(self.x) < 2 or self.x[-1] <= self.x[0]:
            return False
        width = self.x[-1] - self.x[0]
        step = width / (len(self.x) - 1)
        return all(abs(x - (self.x[0] + i * step)) <= 0.01 * width for i, x in enumerate(self.x))

    def table_rows(self) -> list[list[str]]:
        return [[label] + [plain_number(s.values[i]) for s in self.series] for i, label in enumerate(self.x_labels)]


def as_numbers(value: Any) -> list[float | None] | None:
    """A list of numbers (None for a missing or non-finite one), or None if it is no such list."""
    if not isinstance(value, (list, tuple)) or not value:
        return None
    out: list[float | None] = []
    for v in value:
        if v is None:
            out.append(None)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(float(v) if math.isfinite(v) else None)
        else:
            return None
    return out


def bin_means(xs: Sequence[float], ys: Sequence[float], max_points: int = MAX_POINTS) -> tuple[list[float], list[float]]:
    """At most `max_points` points: consecutive runs of near-equal length, each
    replaced by its mean x and mean y. Shorter series come back unchanged."""
    n = len(ys)
    if n <= max_points:
        return list(xs), list(ys)
    bounds = [i * n // max_points for i in range(max_points + 1)]
    bx, by = [], []
    for a, b in zip(bounds, bounds[1:]):
        bx.append(sum(xs[a:b]) / (b - a))
        by.append(sum(ys[a:b]) / (b - a))
    return bx, by


def wants_log(values: Iterable[float]) -> bool:
    vals = list(values)
    return bool(vals) and min(vals) > 0 and max(vals) / min(vals) >= LOG_SPAN


class ChartBuilder:
    """Turns probe findings into Charts, in the report's language."""

    def __init__(self, lang: str):
        self.lang = lang

    def msg(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)

    def curve(self, key: str, title: str, x_title: str, y_title: str, xs: Sequence[Any],
              named_ys: Sequence[tuple[str, Sequence[Any]]], log_x: bool = False) -> Chart | None:
        """A line chart of one or more series over the same x; None when there is nothing to draw."""
        x_nums = as_numbers(list(xs))
        if x_nums is None:
            return None
        # A series that is missing or does not fit the x values is left out, not the chart.
        columns = [(name, nums) for name, nums in ((n, as_numbers(list(ys))) for n, ys in named_ys)
                   if nums is not None and len(nums) == len(x_nums)]
        if not columns:
            return None
        # Keep the points where x and every series are finite (and positive, on a log x).
        keep = [i for i, x in enumerate(x_nums)
                if x is not None and (not log_x or x > 0) and all(ys[i] is not None for _, ys in columns)]
        dropped = len(x_nums) - len(keep)
        if len(keep) < 2:
            return None
        raw_x = [x_nums[i] for i in keep]
        raw_ys = [[ys[i] for i in keep] for _, ys in columns]
        log_y = wants_log(v for ys in raw_ys for v in ys)
        px = [math.log10(x) for x in raw_x] if log_x else raw_x
        series, bx = [], px
        for (name, _), ys in zip(columns, raw_ys):
            py = [math.log10(v) for v in ys] if log_y else ys
            bx, by = bin_means(px, py)
            series.append(Series(name, by, raw_x, ys))
        notes = []
        if len(keep) > MAX_POINTS:
            notes.append(self.msg("report.chart.binned", shown=len(bx), total=len(keep)))
        if dropped:
            notes.append(self.msg("report.chart.dropped", count=dropped))
        if log_x or log_y:
            title += " " + self.msg("report.chart.log_note")
        labels = [str(fmt_number(10 ** v if log_x else v, 3)) for v in bx]
        return Chart(key, title, x_title, y_title, "line", bx, labels, series, log_x=log_x, log_y=log_y, notes=notes)

    def bars(self, key: str, title: str, x_title: str, y_title: str, labels: Sequence[Any],
             values: Sequence[Any]) -> Chart | None:
        nums = as_numbers(list(values))
        if nums is None or len(nums) != len(labels):
            return None
        pairs = [(str(label), v) for label, v in zip(labels, nums) if v is not None]
        if not pairs:
            return None
        notes = []
        if len(pairs) > MAX_POINTS:   # categories cannot be averaged: show evenly spaced ones
            step = (len(pairs) - 1) / (MAX_POINTS - 1)
            notes.append(self.msg("report.chart.picked", shown=MAX_POINTS, total=len(pairs)))
            pairs = [pairs[round(i * step)] for i in range(MAX_POINTS)]
        raw = [v for _, v in pairs]
        log_y = wants_log(raw)
        plotted = [math.log10(v) for v in raw] if log_y else raw
        if log_y:
            title += " " + self.msg("report.chart.log_note")
        names = [label for label, _ in pairs]
        return Chart(key, title, x_title, y_title, "bar",
                     list(range(len(pairs))), [one_line(n)[:60] for n in names],
                     [Series(y_title, plotted, list(range(len(raw))), raw)], log_y=log_y, notes=notes,
                     categorical=True)


def _lr_sweep(b: ChartBuilder, f: Mapping[str, Any]) -> tuple[list[Chart], set[str]]:
    chart = b.curve("lr_sweep-loss", b.msg("report.chart.lr_sweep"), "lr", "loss", f.get("lrs") or [],
                    [(b.msg("report.series.loss"), f.get("losses") or []),
                     (b.msg("report.series.smoothed"), f.get("smoothed") or [])], log_x=True)
    if chart is None:
        return [], set()
    marks = [(b.msg(f"report.mark.{k}"), f.get(k)) for k in ("user_lr", "suggested_lr", "divergence_lr", "min_loss_lr")]
    marks = [(name, v) for name, v in marks if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0]
    if marks:
        chart.notes.append(b.msg("report.chart.marks", marks=b.msg("report.list_sep").join(
            f"{name} {fmt_number(v, 3)} (log10 {plain_number(math.log10(v), 3)})" for name, v in marks)))
    return [chart], {"lrs", "losses", "smoothed"}


def _overfit_batch(b: ChartBuilder, f: Mapping[str, Any]) -> tuple[list[Chart], set[str]]:
    user = as_numbers(f.get("user_curve"))
    ref = as_numbers(f.get("reference_curve"))
    used = {k for k in ("user_curve", "reference_curve") if f.get(k) is not None}
    title = b.msg("report.chart.overfit_batch")
    yours = b.msg("report.series.yours")
    reference = b.msg("report.series.reference", lr=fmt_number(f.get("reference_lr"), 3))
    if user and ref and len(user) == len(ref):
        chart = b.curve("overfit_batch-loss", title, b.msg("report.axis.step"), "loss", range(len(user)),
                        [(yours, user), (reference, ref)])
        return ([chart] if chart else []), used
    present = [(key, name, curve) for key, name, curve in (("yours", yours, user), ("reference", reference, ref)) if curve]
    # Two curves of different lengths get a chart each, named; a lone curve needs no name.
    charts = [b.curve(f"overfit_batch-{key}", f"{title}: {name}" if len(present) > 1 else title,
                      b.msg("report.axis.step"), "loss", range(len(curve)), [(name, curve)])
              for key, name, curve in present]
    return [c for c in charts if c], used


def _gradients(b: ChartBuilder, f: Mapping[str, Any]) -> tuple[list[Chart], set[str]]:
    layers = f.get("layers")
    if not isinstance(layers, list) or not all(isinstance(row, Mapping) for row in layers):
        return [], set()
    chart = b.bars("gradients-grad_norm", b.msg("report.chart.gradients"), b.msg("report.axis.layer"),
                   b.msg("report.axis.grad_norm"), [row.get("layer", "?") for row in layers],
                   [row.get("grad_norm") for row in layers])
    return ([chart] if chart else []), set()   # the layer table stays: it has every column


def _seeds(b: ChartBuilder, f: Mapping[str, Any]) -> tuple[list[Chart], set[str]]:
    finals = f.get("final_losses")
    if not isinstance(finals, list):
        return [], set()
    chart = b.bars("seeds-final_loss", b.msg("report.chart.seeds"), b.msg("report.axis.run"),
                   b.msg("report.axis.final_loss"), [str(i + 1) for i in range(len(finals))], finals)
    return ([chart] if chart else []), ({"final_losses"} if chart else set())


SPECIAL_CHARTS: dict[str, Callable[[ChartBuilder, Mapping[str, Any]], tuple[list[Chart], set[str]]]] = {
    "lr_sweep": _lr_sweep,
    "overfit_batch": _overfit_batch,
    "gradients": _gradients,
    "seeds": _seeds,
}


# Findings that re-sample a curve already drawn (the log reader's binned training loss).
DERIVED_CURVES = {"binned"}


def _step_curves(b: ChartBuilder, probe: str, f: Mapping[str, Any]) -> tuple[list[Chart], set[str]]:
    """Any finding shaped {steps: [...], <name>: [...]} (short_run's train and
    val, and the curves other modes record) becomes one chart per series."""
    charts, used = [], {key for key in f if key in DERIVED_CURVES}
    for key, value in f.items():
        if key in DERIVED_CURVES or not isinstance(value, Mapping) or as_numbers(value.get("steps")) is None:
            continue
        for name, ys in value.items():
            if name == "steps" or as_numbers(ys) is None or len(ys) != len(value["steps"]):
                continue
            label = _label(f"{key}.{name}", b.lang, "report.curve") if f"report.curve.{key}.{name}" in catalogue() \
                else f"{key} {name}"
            title = b.msg("report.chart.over_steps", what=label)
            chart = b.curve(f"{probe}-{key}-{name}", title[:1].upper() + title[1:],
                            b.msg("report.axis.step"), label, value["steps"], [(label, ys)])
            if chart is not None:
                charts.append(chart)
                used.add(key)
    return charts, used


def probe_charts(name: str, findings: Mapping[str, Any], lang: str) -> tuple[list[Chart], set[str]]:
    """The charts for one probe's findings, and the findings they used up (left out of its table)."""
    b = ChartBuilder(lang)
    charts, used = SPECIAL_CHARTS[name](b, findings) if name in SPECIAL_CHARTS else ([], set())
    more, more_used = _step_curves(b, name, findings)
    charts += more
    for chart in charts:
        if len(chart.series) > 1:   # xychart draws no legend: the caption names the colours
            chart.notes.insert(0, b.msg("report.chart.legend", items=b.msg("report.list_sep").join(
                f"{b.msg(f'report.colour.{i}')} = {s.name}" for i, s in enumerate(chart.series))))
    return charts, used | more_used


def mermaid(chart: Chart) -> Md:
    """The chart as a fenced ```mermaid xychart-beta block: numbers and sanitized labels only."""
    lines = []
    if len(chart.series) > 1:   # fixed colours, so the caption can name them
        palette = ", ".join(PALETTE[: len(chart.series)])
        lines.append('%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "' + palette + '"}}}}%%')
    lines += ["xychart-beta", f'    title "{mermaid_label(chart.title, 100)}"']
    x_title = ("log10 " if chart.log_x else "") + chart.x_title
    if chart.uniform_x():
        lines.append(f'    x-axis "{mermaid_label(x_title)}" {plain_number(chart.x[0])} --> {plain_number(chart.x[-1])}')
    else:
        labels = ", ".join(f'"{mermaid_label(x, 24)}"' for x in chart.x_labels)
        lines.append(f'    x-axis "{mermaid_label(x_title)}" [{labels}]')
    y_title = mermaid_label(("log10 " if chart.log_y else "") + chart.y_title)
    if chart.kind == "bar":
        # xychart's automatic range starts at the smallest value, which would draw
        # the smallest bar with no height: bars start from zero.
        values = [v for s in chart.series for v in s.values]
        low, high = min(0.0, *values), max(0.0, *values)
        high = high if high > low else low + 1
        lines.append(f'    y-axis "{y_title}" {plain_number(low)} --> {plain_number(high + 0.05 * (high - low))}')
    else:
        lines.append(f'    y-axis "{y_title}"')
    for s in chart.series:
        lines.append(f'    {chart.kind} "{mermaid_label(s.name)}" [{", ".join(plain_number(v) for v in s.values)}]')
    return md_fenced("\n".join(lines), "mermaid")


# --- PNG assets ------------------------------------------------------------------------

# Fonts with Japanese glyphs, by the names matplotlib knows them under on common systems.
CJK_FONTS = ("Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP", "IPAexGothic", "IPAGothic",
             "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo", "MS Gothic",
             "TakaoPGothic", "VL PGothic")


def _cjk_font() -> str | None:
    from matplotlib import font_manager
    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in available), None)


def write_assets(charts: Sequence[Chart], folder: Path, report_dir: Path | None, lang: str,
                 english: Mapping[str, Chart] | None = None) -> None:
    """Draw each chart as a PNG in `folder` (full resolution, real log axes) and
    set chart.image to its path relative to the report. Needs matplotlib.

    Japanese labels need a font with Japanese glyphs; without one, the PNG takes
    its words from `english` (the same charts built in English) rather than
    showing empty boxes."""
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ReportError(t("report.error.no_matplotlib", lang)) from None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(t("report.error.assets_dir", lang, path=folder, reason=exc.strerror or exc)) from None
    font = _cjk_font() if lang == "ja" else None
    words_from = english if (lang == "ja" and font is None and english) else {}
    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    start = (report_dir or Path.cwd()).resolve()
    for chart in charts:
        shown = words_from.get(chart.key, chart)
        with matplotlib.rc_context({"font.family": families}), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)    # a missing glyph in a user's layer name
            fig = Figure(figsize=(7, 3.6), dpi=100)
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
            for s, name, colour in zip(chart.series, [x.name for x in shown.series], PALETTE * 4):
                if chart.kind == "bar":   # positions, not names: two layers may share a name
                    ax.bar(range(len(s.raw_y)), s.raw_y, color=colour)
                    ax.set_xticks(range(len(s.raw_y)), [x[:16] for x in chart.x_labels],
                                  rotation=45 if len(s.raw_y) > 8 else 0)
                else:
                    ax.plot(s.raw_x, s.raw_y, color=colour, label=name, linewidth=1.2)
            if chart.log_x:
                ax.set_xscale("log")
            if chart.log_y:
                ax.set_yscale("log")
            ax.set_title(shown.title, fontsize=10)
            ax.set_xlabel(shown.x_title)
            ax.set_ylabel(shown.y_title)
            if len(chart.series) > 1:
                ax.legend(fontsize=8)
            ax.grid(True, alpha=0.3)
            fig.tight_layout()
            path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', chart.key)}.png"
            try:
                fig.savefig(path, metadata={"Software": None})
            except OSError as exc:
                raise ReportError(t("report.error.assets_dir", lang, path=path, reason=exc.strerror or exc)) from None
        chart.image = quote(os.path.relpath(path.resolve(), start).replace(os.sep, "/"))


# --- the view the templates read -------------------------------------------------------

SETUP_ORDER = ("torch", "device", "model", "parameters", "layers", "optimizer", "loss", "batch_size",
               "train_examples", "val_examples", "task", "has_val_data", "has_train_step")
SETUP_FOLDED = {"trainable_parameters", "frozen_parameters", "optimizer_params"}   # shown inside another row


def _label(key: str, lang: str, prefix: str) -> str:
    full = f"{prefix}.{key}"
    return t(full, lang) if full in catalogue() else key


def _setup_value(key: str, setup: Mapping[str, Any], lang: str) -> str:
    value = setup.get(key)
    if isinstance(value, bool):
        return t("report.yes" if value else "report.no", lang)
    if key == "parameters" and isinstance(value, int):
        parts = [fmt_number(value)]
        if isinstance(setup.get("trainable_parameters"), int):
            parts.append(t("report.setup.params_split", lang, trainable=fmt_number(setup["trainable_parameters"]),
                           frozen=fmt_number(setup.get("frozen_parameters") or 0)))
        return " ".join(parts)
    if key == "layers" and isinstance(value, Mapping):
        return ", ".join(f"{name} × {count}" for name, count in value.items())
    if key == "optimizer":
        params = setup.get("optimizer_params")
        if isinstance(params, Mapping) and params:
            return f"{value} (" + ", ".join(f"{k}={_hyper(v)}" for k, v in params.items()) + ")"
    return _setup_scalar(value)


def _hyper(value: Any) -> str:
    """One optimizer hyper-parameter as Python would write it: betas=(0.9, 0.999)."""
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_setup_scalar(v) for v in value) + ")"
    return _setup_scalar(value)


def _setup_scalar(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_number(value) if not isinstance(value, float) else f"{value:g}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(_setup_scalar(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_setup_scalar(v)}" for k, v in value.items())
    return str(value)


def setup_rows(setup: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """(label, value) rows: the known keys in a fixed order, then any others (other modes add their own)."""
    keys = [k for k in SETUP_ORDER if k in setup] + [k for k in setup if k not in SETUP_ORDER and k not in SETUP_FOLDED]
    if "parameters" not in setup and "trainable_parameters" in setup:
        keys.append("trainable_parameters")
    return [(_label(k, lang, "report.setup"), _setup_value(k, setup, lang)) for k in keys
            if setup.get(k) is not None and setup.get(k) != {} and setup.get(k) != []]


def _source(source: str, lang: str) -> dict[str, Any]:
    if source == "user":
        return {"by_user": True, "probes": [], "text": t("report.by_user", lang)}
    probes = [p for p in source.split(":", 1)[-1].split(",") if p]
    return {"by_user": False, "probes": probes, "text": t("report.by_probe", lang)}


def _measured_text(m: Mapping[str, Any], lang: str) -> str:
    value = _format_any(m.get("value"))
    if m.get("op") in ("<", "<=", ">", ">="):
        op = {"<=": "≤", ">=": "≥"}.get(m["op"], m["op"])
        return t("report.measured_item", lang, value=value, op=op, threshold=_format_any(m.get("threshold")))
    return value


def _format_any(value: Any, grouped: bool = True) -> str:
    """A finding or measured value on one line. Inside lists, integers are often
    indices, so they go without thousands separators."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and not grouped:
        return str(value)
    if isinstance(value, (int, float)):
        return fmt_number(value)
    if isinstance(value, list):
        return "[" + ", ".join(_format_any(v, False) for v in value[:8]) + (", …" if len(value) > 8 else "") + "]"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_format_any(v, False)}" for k, v in list(value.items())[:8])
    if value == "":
        return '""'
    return "—" if value is None else str(value)


def _observation_meanings() -> dict[str, Mapping[str, str]]:
    """Each declared observation's meaning, for the measurement tables. The
    declarations live with the probes (which import torch); without them the
    tables simply have no meaning column."""
    try:
        from loss_advisor.pipeline.producers import all_declared
        return {name: o.meaning for name, o in all_declared().items()}
    except Exception as exc:   # torch missing or broken: the report goes on without meanings
        log.debug("observation meanings unavailable: %s", exc)
        return {}


def measurement_rows(probe: str, findings: Mapping[str, Any], skip: set[str], lang: str,
                     meanings: Mapping[str, Mapping[str, str]]) -> list[dict[str, str]]:
    """The probe's scalar findings (and one level inside dicts), in its own order."""
    rows = []

    def add(key: str, value: Any) -> None:
        meaning = meanings.get(f"{probe}.{key}") or meanings.get(key)
        rows.append({"name": key, "value": _format_any(value), "meaning": pick(meaning, lang) if meaning else ""})

    for key, value in findings.items():
        if key in skip or value is None or value == "" or value == []:
            continue
        if isinstance(value, Mapping):
            for sub, v in value.items():   # one level down; deeper curves and tables are charted or skipped
                nested = isinstance(v, Mapping) or (isinstance(v, list) and any(isinstance(x, (Mapping, list)) for x in v))
                if not nested and v is not None and v != "" and v != []:
                    add(f"{key}.{sub}", v)
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            continue
        else:
            add(key, value)
    return rows


def layer_table(findings: Mapping[str, Any], lang: str) -> dict[str, Any] | None:
    """The gradient probe's per-layer rows: every column any row has."""
    layers = findings.get("layers")
    if not isinstance(layers, list) or not layers or not all(isinstance(r, Mapping) for r in layers):
        return None
    columns: list[str] = []
    for row in layers:
        columns += [k for k in row if k not in columns]
    return {"columns": [_label(c, lang, "report.layer") for c in columns],
            "rows": [[_format_any(row.get(c)) for c in columns] for row in layers]}


def build_view(result, meanings: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, Any]:
    """Everything the template shows, as plain data (escaping happens in the template)."""
    data = result.to_dict()
    lang = result.lang
    meanings = _observation_meanings() if meanings is None else meanings
    diagnoses = data["diagnoses"]
    strong = [d for d in diagnoses if d["confidence"] >= 0.5]
    strong_ids = {d["cause"] for d in strong}
    detailed = []
    for d in strong:
        cause = result.kb.causes[d["cause"]]
        detailed.append({**d,
                         "theory": pick(cause.theory, lang),
                         "summary": pick(cause.summary, lang),
                         "symptoms": [pick(s, lang) for s in cause.symptoms],
                         "confirm": [pick(c, lang) for c in cause.confirm],
                         "remedy_items": [{"text": pick(r.text, lang), "code": r.code or ""} for r in cause.remedies]})
    probes, all_charts = [], []
    for p in data["probes"]:
        findings = p.get("findings") or {}
        charts, used = probe_charts(p["name"], findings, lang) if p.get("status") == "ok" else ([], set())
        all_charts += charts
        probes.append({**p,
                       "title": _label(p["name"], lang, "report.probe"),
                       "charts": charts,
                       "status_text": _label(p.get("status", ""), lang, "status"),
                       "layers": layer_table(findings, lang),
                       "measurements": measurement_rows(p["name"], findings, used, lang, meanings)})
    path = []
    for row in data["path"]:
        path.append({**row, "by": _source(row["source"], lang),
                     "measured_text": [{"observation": m.get("observation", ""), "text": _measured_text(m, lang)}
                                       for m in row.get("measured", [])]})
    reproduce = data.get("reproduce") or {}
    versions = reproduce.get("versions") if isinstance(reproduce.get("versions"), Mapping) else {}
    return {
        "lang": lang,
        "mode": data.get("mode") or "probe",
        "mode_text": _label(data.get("mode") or "probe", lang, "report.mode"),
        "target": data.get("target") or "",
        "tool": data.get("tool") or {},
        "summary": strong,
        "candidates": [] if strong else diagnoses[:3],
        "diagnoses": detailed,
        "setup": setup_rows(data.get("setup") or {}, lang),
        "path": [r for r in path if r.get("on_path")],
        "off_path": [r for r in path if not r.get("on_path")],
        "probes": probes,
        "charts": all_charts,
        "checklist": [{**row, "found": [(c, pick(result.kb.causes[c].title, lang)) for c in row["causes"]
                                         if c in strong_ids and result.kb.causes[c].kind == "fault"]}
                      for row in data["checklist"]],
        "reproduce": {
            "command": reproduce.get("command"),
            "rows": [(_label(k, lang, "report.reproduce"), _setup_scalar(reproduce[k]))
                      for k in ("seed", "budget", "device") if reproduce.get(k) is not None],
            "versions": [(str(k), str(v)) for k, v in versions.items() if v],
        },
        "json": data,
    }


# --- rendering ---------------------------------------------------------------------------

def environment(extra_dir: Path | None = None) -> jinja2.Environment:
    """The package's templates first (so a user template may extend them by name),
    then the folder of the user's template for its own includes."""
    loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("loss_advisor.surfaces", "templates")]
    if extra_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(extra_dir)))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=False, finalize=finalize,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update({
        "text": md_text,
        "cell": md_cell,
        "code": md_code,
        "code_cell": lambda v: md_code(v, cell=True),
        "fenced": md_fenced,
        "html": html_text,
        "mermaid": mermaid,
        "num": fmt_number,
        "pct": fmt_pct,
        "plain": plain_number,
        "raw": Md,
    })
    return env


@lru_cache(maxsize=1)
def _builtin_template() -> jinja2.Template:
    return environment().get_template(TEMPLATE)


def load_template(path: str | os.PathLike[str], lang: str = "en") -> jinja2.Template:
    """A user's template, compiled; a missing or broken one is a ReportError (one line).
    The CLI can call this before a long probe run, to fail early."""
    file = Path(path)
    try:
        source = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ReportError(t("report.error.template_read", lang, path=path, reason=reason)) from None
    env = environment(file.parent)
    try:
        return env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise ReportError(t("report.error.template", lang, path=path, line=exc.lineno, reason=exc.message)) from None


def render_markdown(result, template: str | os.PathLike[str] | None = None, assets_dir: str | os.PathLike[str] | None = None,
                    report_path: str | os.PathLike[str] | None = None) -> str:
    """The report for `result` in its language. `template`: a user's jinja2 file
    instead of ours. `assets_dir`: also draw PNG charts there (linked relative to
    `report_path`'s folder, or to the working directory)."""
    lang = result.lang
    tpl = load_template(template, lang) if template else _builtin_template()
    view = build_view(result)
    if assets_dir is not None:
        report_dir = Path(report_path).parent if report_path else None
        english = {c.key: c for p in view["json"]["probes"] if p.get("status") == "ok"
                   for c in probe_charts(p["name"], p.get("findings") or {}, "en")[0]} if lang != "en" else None
        write_assets(view["charts"], Path(assets_dir), report_dir, lang, english)
    try:
        return tpl.render(report=view, r=view["json"], result=result, kb=result.kb, lang=lang,
                          msg=lambda key, **kw: t(key, lang, **kw))
    except Exception as exc:
        # A user's template may fail in any way; ours failing is a bug to see in full.
        if not template and not isinstance(exc, jinja2.TemplateError):
            raise
        reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        raise ReportError(t("report.error.template", lang, path=template or TEMPLATE,
                            line=_template_line(exc) or "?", reason=one_line(reason))) from None


def _template_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:   # jinja2 rewrites tracebacks so template frames carry template line numbers
        if tb.tb_frame.f_code.co_filename in ("<template>",) or tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class NotebookResult(Result):
    """A Result that shows itself as the Markdown report in a notebook
    (what `loss_advisor.diagnose()` returns)."""

    @classmethod
    def of(cls, result: Result) -> "NotebookResult":
        return cls(**{f.name: getattr(result, f.name) for f in fields(result)})

    def _repr_markdown_(self) -> str:
        return render_markdown(self)
