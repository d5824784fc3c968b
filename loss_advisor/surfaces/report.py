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
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import quote

import jinja2

from loss_advisor.core import view
from loss_advisor.core.errors import UsageError
from loss_advisor.core.i18n import t
from loss_advisor.core.records import ProbeRecord
from loss_advisor.core.result import Result
from loss_advisor.core.view import plain_number  # noqa: F401  (the templates' `plain` filter; tests import it here)

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
    """A number for reading (the view model's formatting); anything else as escaped text."""
    if value is None or isinstance(value, (bool, int, float)):
        return Md(view.fmt_number(value, digits))
    return md_cell(value)


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


def chart_of(b: ChartBuilder, spec: view.ChartSpec) -> Chart | None:
    """Draw one of the view model's chart specs (binned, log-scaled where needed)."""
    if spec.kind == "bar":
        chart = b.bars(spec.key, spec.title, spec.x_title, spec.y_title, spec.x, spec.series[0][1])
    else:
        chart = b.curve(spec.key, spec.title, spec.x_title, spec.y_title, spec.x, spec.series, log_x=spec.log_x)
    if chart is not None:
        chart.notes += spec.notes
    return chart


def charts_of(specs: Sequence[view.ChartSpec], lang: str) -> list[Chart]:
    b = ChartBuilder(lang)
    charts = [c for c in (chart_of(b, spec) for spec in specs) if c is not None]
    for chart in charts:
        if len(chart.series) > 1:   # xychart draws no legend: the caption names the colours
            chart.notes.insert(0, b.msg("report.chart.legend", items=b.msg("report.list_sep").join(
                f"{b.msg(f'report.colour.{i}')} = {s.name}" for i, s in enumerate(chart.series))))
    return charts


def probe_charts(name: str, findings: Mapping[str, Any], lang: str) -> tuple[list[Chart], set[str]]:
    """The charts for one probe's findings (as on the wire), and the findings
    they used up (left out of its table)."""
    specs, used = view.chart_specs(ProbeRecord.from_dict({"name": name, "status": "ok", "findings": dict(findings)}), lang)
    return charts_of(specs, lang), used


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


def build_view(result, meanings: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, Any]:
    """The view model's report view (loss_advisor.core.view), with each probe's
    charts drawn; the templates read only this."""
    out = view.report_view(result, _observation_meanings() if meanings is None else meanings)
    all_charts = []
    for p in out["probes"]:
        p["charts"] = charts_of(p.pop("chart_specs"), out["lang"])
        all_charts += p["charts"]
    for e in experiment_views(out):
        e["charts"] = charts_of([e.pop("chart_spec")] if e.get("chart_spec") else [], out["lang"])
        all_charts += e["charts"]
    out["charts"] = all_charts
    return out


def experiment_views(out: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every paired run the view shows: in its diagnosis, or with the record."""
    return [d["experiment"] for d in out["diagnoses"] if d.get("experiment")] + list(out["experiments"])


def english_experiment_charts(result) -> list[Chart]:
    """The paired runs' charts in English (the PNGs' words without a Japanese font)."""
    from loss_advisor.core.i18n import pick
    titles = {cid: pick(c.title, "en") for cid, c in result.kb.causes.items()}
    specs = [e["chart_spec"] for e in view.experiments(result, "en", titles).values() if e["chart_spec"]]
    return charts_of(specs, "en")


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
        if english is not None:
            english.update({c.key: c for c in english_experiment_charts(result)})
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
