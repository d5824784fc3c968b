"""The view model: what every surface shows, decided once, above the engine.

The Markdown report (its jinja templates) and the TUI (its Textual widgets)
only read what this module hands them: which causes are findings to act on
(the one cut-off, FINDING), each checklist row's state and the causes found
in it, which charts a record's artifacts make, and how numbers read.
Torch-free, textual-free and jinja-free: it reads a Result and the typed
records of loss_advisor.core.records, nothing else.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from loss_advisor.core.i18n import catalogue, pick, t
from loss_advisor.core.records import Curve, LayerTable, ProbeRecord

# CONTRACT.md section 4: a diagnosis at 0.5 or above is a finding the user
# should act on. The only place this number is written.
FINDING = 0.5

INTERVENTIONS = "interventions"  # the record the paired runs leave (pipeline.api.STAGE)


def confidence_of(d: Any) -> float:
    """A diagnosis's confidence, from the engine's Diagnosis or its JSON."""
    return d["confidence"] if isinstance(d, Mapping) else d.confidence


def is_finding(d: Any) -> bool:
    """Whether a diagnosis (or a bare confidence) is a finding to act on."""
    value = d if isinstance(d, (int, float)) else confidence_of(d)
    return value >= FINDING


def findings_of(diagnoses: Sequence[Any]) -> list[Any]:
    return [d for d in diagnoses if is_finding(d)]


# --- numbers ---------------------------------------------------------------------------

def fmt_number(value: Any, digits: int = 4) -> str:
    """A number for reading: integers with thousands separators, floats to `digits` significant digits."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value == int(value) and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:.{digits}g}"
    return str(value)


def plain_number(value: float, digits: int = 4) -> str:
    """A number with no exponent, `digits` significant digits (what Mermaid's xychart can read)."""
    if value == 0 or not math.isfinite(value):
        return "0"
    decimals = max(0, min(15, digits - 1 - math.floor(math.log10(abs(value)))))
    text = f"{round(value, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_any(value: Any, grouped: bool = True) -> str:
    """A finding or measured value on one line. Inside lists, integers are often
    indices, so they go without thousands separators."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and not grouped:
        return str(value)
    if isinstance(value, (int, float)):
        return fmt_number(value)
    if isinstance(value, list):
        return "[" + ", ".join(format_any(v, False) for v in value[:8]) + (", …" if len(value) > 8 else "") + "]"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={format_any(v, False)}" for k, v in list(value.items())[:8])
    if value == "":
        return '""'
    return "—" if value is None else str(value)


def display_width(text: str) -> int:
    """Terminal columns `text` takes: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal columns (str.ljust counts
    characters, so a Japanese column would drift)."""
    return text + " " * max(0, width - display_width(text))


def label(key: str, lang: str, prefix: str) -> str:
    """The catalogue's words for `prefix.key`, or the key itself."""
    full = f"{prefix}.{key}"
    return t(full, lang) if full in catalogue() else key


# --- the set-up ------------------------------------------------------------------------

SETUP_ORDER = ("torch", "device", "model", "parameters", "layers", "optimizer", "loss", "batch_size",
               "train_examples", "val_examples", "task", "has_val_data", "has_train_step")
SETUP_FOLDED = {"trainable_parameters", "frozen_parameters", "optimizer_params"}   # shown inside another row


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
    return setup_scalar(value)


def _hyper(value: Any) -> str:
    """One optimizer hyper-parameter as Python would write it: betas=(0.9, 0.999)."""
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(setup_scalar(v) for v in value) + ")"
    return setup_scalar(value)


def setup_scalar(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_number(value) if not isinstance(value, float) else f"{value:g}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(setup_scalar(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={setup_scalar(v)}" for k, v in value.items())
    return str(value)


def setup_rows(setup: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """(label, value) rows: the known keys in a fixed order, then any others (other modes add their own)."""
    keys = [k for k in SETUP_ORDER if k in setup] + [k for k in setup if k not in SETUP_ORDER and k not in SETUP_FOLDED]
    if "parameters" not in setup and "trainable_parameters" in setup:
        keys.append("trainable_parameters")
    return [(label(k, lang, "report.setup"), _setup_value(k, setup, lang)) for k in keys
            if setup.get(k) is not None and setup.get(k) != {} and setup.get(k) != []]


# --- the path and the checklist ----------------------------------------------------------

def answered_by(source: str, lang: str) -> dict[str, Any]:
    """Who answered a question: the user, or the producers named in the
    engine's source ("probe:a,b")."""
    if source == "user":
        return {"by_user": True, "probes": [], "text": t("report.by_user", lang)}
    probes = [p for p in source.split(":", 1)[-1].split(",") if p]
    return {"by_user": False, "probes": probes, "text": t("report.by_probe", lang)}


def measured_text(m: Mapping[str, Any], lang: str) -> str:
    value = format_any(m.get("value"))
    if m.get("op") in ("<", "<=", ">", ">="):
        op = {"<=": "≤", ">=": "≥"}.get(m["op"], m["op"])
        return t("report.measured_item", lang, value=value, op=op, threshold=format_any(m.get("threshold")))
    return value


def checklist(session, lang: str, found: set[str] | None = None) -> list[dict[str, Any]]:
    """Each checklist row: its words, its state (failed, checked, unknown),
    the faults found among its causes (`found`: the causes that are findings;
    by default those at the cut-off) and its likeliest cause (`top`: id,
    title, confidence)."""
    kb = session.kb
    rows = {r.id: r for r in kb.checklist}
    diagnoses = session.diagnoses()
    if found is None:
        found = {d.cause for d in diagnoses if is_finding(d)}
    conf = {d.cause: d.confidence for d in diagnoses}
    out = []
    for rid, status in session.checklist(FINDING):
        row = rows[rid]
        top = max(row.causes, key=lambda c: conf.get(c, 0.0)) if row.causes else None
        out.append({"id": rid, "category": pick(row.category, lang), "check": pick(row.check, lang),
                    "status": status, "causes": list(row.causes),
                    "found": [(c, pick(kb.causes[c].title, lang)) for c in row.causes
                              if c in found and kb.causes[c].kind == "fault"],
                    "top": (top, pick(kb.causes[top].title, lang), conf.get(top, 0.0)) if top else None})
    return out


# The view model's own fields, not part of the JSON's checklist rows.
CHECKLIST_VIEW_ONLY = ("found", "top")


# --- measurements and tables -----------------------------------------------------------------

def measurement_rows(probe: str, findings: Mapping[str, Any], skip: set[str], lang: str,
                     meanings: Mapping[str, Mapping[str, str]]) -> list[dict[str, str]]:
    """The probe's scalar findings (and one level inside dicts), in its own order."""
    rows = []

    def add(key: str, value: Any) -> None:
        meaning = meanings.get(f"{probe}.{key}") or meanings.get(key)
        rows.append({"name": key, "value": format_any(value), "meaning": pick(meaning, lang) if meaning else ""})

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


def layer_table(record: ProbeRecord, lang: str) -> dict[str, Any] | None:
    """The per-layer rows (the gradient probe's): every column any row has."""
    table = record.table("layers")
    if table is None:
        return None
    columns = table.columns()
    return {"columns": [label(c, lang, "report.layer") for c in columns],
            "rows": [[format_any(row.get(c)) for c in columns] for row in table]}


# --- charts: which artifacts are drawn, and how --------------------------------------------------

@dataclass
class ChartSpec:
    """One chart to draw, as chosen from a record's artifacts: a line chart of
    series over a shared x, or bars over labels. Surfaces bin, scale and draw it."""
    key: str                                   # unique in a report
    title: str
    x_title: str
    y_title: str
    x: list[Any]                               # x values (lines) or labels (bars)
    series: list[tuple[str, list[Any]]]
    kind: str = "line"                         # line or bar
    log_x: bool = False
    notes: list[str] = field(default_factory=list)


def _sweep(record: ProbeRecord, lang: str) -> tuple[list[ChartSpec], set[str]]:
    curve = record.curves().get("sweep")
    if curve is None:
        return [], set()
    msg = lambda key, **kw: t(key, lang, **kw)   # noqa: E731
    spec = ChartSpec("lr_sweep-loss", msg("report.chart.lr_sweep"), "lr", "loss", curve.x,
                     [(msg("report.series.loss"), curve.series.get("losses") or []),
                      (msg("report.series.smoothed"), curve.series.get("smoothed") or [])], log_x=True)
    marks = [(msg(f"report.mark.{k}"), curve.marks.get(k)) for k in ("user_lr", "suggested_lr", "divergence_lr", "min_loss_lr")]
    marks = [(name, v) for name, v in marks if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0]
    if marks:
        spec.notes.append(msg("report.chart.marks", marks=msg("report.list_sep").join(
            f"{name} {fmt_number(v, 3)} (log10 {plain_number(math.log10(v), 3)})" for name, v in marks)))
    return [spec], {"sweep"}


def _overfit(record: ProbeRecord, lang: str) -> tuple[list[ChartSpec], set[str]]:
    curves = record.curves()
    user, ref = curves.get("user_curve"), curves.get("reference_curve")
    used = {k for k in ("user_curve", "reference_curve") if record.details.get(k) is not None}
    title = t("report.chart.overfit_batch", lang)
    step = t("report.axis.step", lang)
    yours = t("report.series.yours", lang)
    reference = t("report.series.reference", lang, lr=fmt_number(record.details.get("reference_lr"), 3))
    if user and ref and len(user.x) == len(ref.x):
        return [ChartSpec("overfit_batch-loss", title, step, "loss", user.x,
                          [(yours, user.series.get("losses") or []), (reference, ref.series.get("losses") or [])])], used
    present = [(key, name, curve) for key, name, curve in (("yours", yours, user), ("reference", reference, ref)) if curve]
    # Two curves of different lengths get a chart each, named; a lone curve needs no name.
    return [ChartSpec(f"overfit_batch-{key}", f"{title}: {name}" if len(present) > 1 else title, step, "loss",
                      curve.x, [(name, curve.series.get("losses") or [])]) for key, name, curve in present], used


def _gradients(record: ProbeRecord, lang: str) -> tuple[list[ChartSpec], set[str]]:
    table = record.table("layers")
    if table is None:
        return [], set()
    return [ChartSpec("gradients-grad_norm", t("report.chart.gradients", lang), t("report.axis.layer", lang),
                      t("report.axis.grad_norm", lang), [row.get("layer", "?") for row in table],
                      [(t("report.axis.grad_norm", lang), table.column("grad_norm"))], kind="bar")], set()
    # (the layer table stays: it has every column)


def _seeds(record: ProbeRecord, lang: str) -> tuple[list[ChartSpec], set[str]]:
    finals = record.details.get("final_losses")
    if not isinstance(finals, list):
        return [], set()
    return [ChartSpec("seeds-final_loss", t("report.chart.seeds", lang), t("report.axis.run", lang),
                      t("report.axis.final_loss", lang), [str(i + 1) for i in range(len(finals))],
                      [(t("report.axis.final_loss", lang), finals)], kind="bar")], {"final_losses"}


# Charts a producer's own artifacts make, beyond its curves over steps.
SPECIAL_CHARTS: dict[str, Callable[[ProbeRecord, str], tuple[list[ChartSpec], set[str]]]] = {
    "lr_sweep": _sweep,
    "overfit_batch": _overfit,
    "gradients": _gradients,
    "seeds": _seeds,
    INTERVENTIONS: lambda record, lang: ([], set(record.details)),   # drawn per cause (experiments())
}

# Curves that re-sample a curve already drawn (the log reader's binned training loss).
DERIVED_CURVES = {"binned"}


def _step_curves(record: ProbeRecord, lang: str, skip: set[str]) -> tuple[list[ChartSpec], set[str]]:
    """Every other curve over steps (a short run's train and val, a log's, a
    watched script's) makes one chart per series."""
    specs, used = [], {key for key in record.details if key in DERIVED_CURVES}
    for key, curve in record.curves().items():
        if key in DERIVED_CURVES or key in skip or curve.x_label != "steps":
            continue
        for name in curve.series:
            words = label(f"{key}.{name}", lang, "report.curve") if f"report.curve.{key}.{name}" in catalogue() \
                else f"{key} {name}"
            title = t("report.chart.over_steps", lang, what=words)
            specs.append(ChartSpec(f"{record.name}-{key}-{name}", title[:1].upper() + title[1:],
                                   t("report.axis.step", lang), words, curve.x, [(words, curve.series[name])]))
            used.add(key)
    return specs, used


def chart_specs(record: ProbeRecord, lang: str) -> tuple[list[ChartSpec], set[str]]:
    """The charts one record's artifacts make, and the findings they use up
    (left out of its table of measurements)."""
    special = SPECIAL_CHARTS.get(record.name)
    specs, used = special(record, lang) if special else ([], set())
    more, more_used = _step_curves(record, lang, used)
    wire = set()
    for key in used | more_used:     # as the findings name them: an inline curve by its x and series
        value = record.details.get(key)
        wire |= {value.x_label, *value.series} if isinstance(value, Curve) and value.inline else {key}
    return specs + more, wire


# --- the paired runs (issue 13): each tested cause, as the surfaces show it ------------------------

VERDICT_MARKS = {"confirmed": "✅", "refuted": "❌", "inconclusive": "❔"}


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def intervention_chart(cause: str, curve: Curve | None, lang: str, title: str = "") -> ChartSpec | None:
    """One chart of a paired run: the mean loss as is and with the change over
    the same steps (both arms share seeds and batches, so one x serves both).
    A mean is missing where a seed diverged (NaN/inf): the chart draws the
    steps where both arms are finite and says where each one was not; an arm
    finite at fewer than two steps is left out and named."""
    if curve is None:
        return None
    named = [(t(f"report.series.{key}", lang), curve.series.get(key)) for key in ("as_is", "with_change")]
    if any(values is None or len(values) != len(curve.x) for _, values in named):
        return None
    notes, drawn = [], []
    for name, values in named:
        gone = [curve.x[i] for i, v in enumerate(values) if not _finite(v)]
        if sum(_finite(v) for v in values) < 2:
            notes.append(t("report.chart.diverged_left_out", lang, series=name, step=fmt_number(gone[0])))
            continue
        if gone:
            notes.append(t("report.chart.diverged", lang, series=name, step=fmt_number(gone[0])))
        drawn.append((name, values))
    common = [i for i in range(len(curve.x)) if all(_finite(values[i]) for _, values in drawn)]
    if len(drawn) == 2 and len(common) < 2:       # each finite somewhere, never together: draw the steadier one
        drawn = [max(drawn, key=lambda nv: sum(_finite(v) for v in nv[1]))]
    if not drawn:
        return None
    return ChartSpec(f"interventions-{cause}", t("report.chart.intervention", lang, cause=title or cause),
                     t("report.axis.step", lang), "loss", curve.x, drawn, notes=notes)


def _loss_text(value: Any, per_seed: Any, lang: str) -> str:
    text = t("engine.intervention.diverged", lang) if value is None else fmt_number(value)
    if isinstance(per_seed, list) and len(per_seed) > 1:
        text += " " + t("report.experiment.per_seed", lang, values=", ".join(
            t("engine.intervention.diverged", lang) if v is None else fmt_number(v) for v in per_seed))
    return text


def experiments(result, lang: str, titles: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Every cause a paired run tested, by cause, in ranking order: the rows of
    its table (what was changed, steps, seeds, the loss as is and with the
    change, the spread, the verdict, the causes that follow from it), the
    verdict and its mark, and its chart (a ChartSpec, or None when the run
    left no curve). Read from the session and the records, both of which a
    saved result carries, so that it shows as the live one. A refuted cause
    that nothing else spoke for is in no list of diagnoses, but it is here."""
    session = result.session
    curves: dict[str, Curve] = {}
    for record in result.probes:
        if record.name == INTERVENTIONS and record.status == "ok":
            curves = record.curves()
    ranked = session.diagnoses()
    followers: dict[str, list[str]] = {}
    for d in ranked:
        if d.consequence_of:
            followers.setdefault(d.consequence_of, []).append(d.cause)
    out: dict[str, dict[str, Any]] = {}
    for d in ranked:
        raw = session.interventions.get(d.cause)
        if raw is None:
            continue
        cause = d.cause
        o = d.intervention or session.intervention_object(cause, raw)
        verdict = o.get("verdict") if o.get("verdict") in VERDICT_MARKS else "inconclusive"
        not_run = o.get("loss_as_is") is None and o.get("loss_with_change") is None and bool(o.get("reason"))
        rows = [(t("report.experiment.change", lang), str(o.get("change") or o.get("mechanism") or ""))]
        if not not_run:
            spread = o.get("spread")
            rows += [(t("report.experiment.steps", lang), fmt_number(o.get("steps"))),
                     (t("report.experiment.seeds", lang), ", ".join(str(s) for s in o.get("seeds") or []) or "—"),
                     (t("report.experiment.loss_as_is", lang),
                      _loss_text(o.get("loss_as_is"), raw.get("losses_as_is"), lang)),
                     (t("report.experiment.loss_with_change", lang),
                      _loss_text(o.get("loss_with_change"), raw.get("losses_with_change"), lang)),
                     (t("report.experiment.spread", lang), "—" if spread is None else "±" + fmt_number(spread))]
        rows.append((t("report.experiment.verdict", lang),
                     f"{VERDICT_MARKS[verdict]} " + t(f"report.experiment.verdict.{verdict}", lang)))
        if o.get("reason"):
            rows.append((t("report.experiment.reason", lang), str(o["reason"])))
        explains = followers.get(cause, [])
        if explains:
            rows.append((t("report.experiment.explains", lang),
                         t("report.list_sep", lang).join(f"{titles.get(c, c)} ({c})" for c in explains)))
        out[cause] = {"cause": cause, "title": titles.get(cause, cause), "verdict": verdict,
                      "mark": VERDICT_MARKS[verdict], "rows": rows, "explains": explains,
                      "chart_spec": intervention_chart(cause, curves.get(cause), lang, titles.get(cause, cause))}
    return out


# --- the TUI's picture of one record -----------------------------------------------------------

@dataclass
class Picture:
    """The one picture the TUI draws for a record."""
    kind: str                                  # lr, curve, gradients, overfit, experiment
    curves: dict[str, Curve] = field(default_factory=dict)
    table: LayerTable | None = None


def picture(record: ProbeRecord | None) -> Picture | None:
    """What to draw for a record, chosen by its artifacts, not by its name, so
    that a probe, a training log and a watched script get the same pictures."""
    if record is None:
        return None
    curves = record.curves()
    sweep = curves.get("sweep")
    if sweep is not None and sweep.series.get("losses"):
        return Picture("lr", {"sweep": sweep})
    train = curves.get("train")
    if train is not None and train.series.get("losses"):
        return Picture("curve", {k: c for k, c in (("train", train), ("val", curves.get("val"))) if c is not None})
    table = record.table("layers")
    if table is not None:
        return Picture("gradients", table=table)
    if "user_curve" in curves:
        return Picture("overfit", {k: curves[k] for k in ("user_curve", "reference_curve") if k in curves})
    paired = {k: c for k, c in curves.items() if "as_is" in c.series and "with_change" in c.series}
    if paired:                       # the paired runs: as is and with the change, per cause tested
        return Picture("experiment", paired)
    return None


def experiment_picture(record: ProbeRecord | None, cause: str) -> Picture | None:
    """The picture of one cause's paired run (both mean loss curves), if measured."""
    shown = picture(record)
    if shown is None or shown.kind != "experiment" or cause not in shown.curves:
        return None
    return Picture("experiment", {cause: shown.curves[cause]})


# --- the report's view -------------------------------------------------------------------

def report_view(result, meanings: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """Everything the report's templates show, as plain data: a probe's charts
    come as ChartSpecs (`chart_specs`), for the report to draw."""
    data = result.to_dict()
    lang = result.lang
    diagnoses = data["diagnoses"]
    strong = findings_of(diagnoses)
    detailed = []
    for d in strong:
        cause = result.kb.causes[d["cause"]]
        detailed.append({**d,
                         "theory": pick(cause.theory, lang),
                         "summary": pick(cause.summary, lang),
                         "symptoms": [pick(s, lang) for s in cause.symptoms],
                         "confirm": [pick(c, lang) for c in cause.confirm],
                         "remedy_items": [{"text": pick(r.text, lang), "code": r.code or ""} for r in cause.remedies]})
    titles = {cid: pick(c.title, lang) for cid, c in result.kb.causes.items()}
    tested = experiments(result, lang, titles)
    for d in detailed:
        d["experiment"] = tested.get(d["cause"])
        root = d.get("consequence_of")
        d["follows_from"] = {"cause": root, "title": titles.get(root, root)} if root else None
    shown = {d["cause"] for d in detailed}
    probes = []
    for p in data["probes"]:
        # Read back through the one converter, so that a saved result draws as the live one.
        record = ProbeRecord.from_dict(p)
        specs, used = chart_specs(record, lang) if p.get("status") == "ok" else ([], set())
        probes.append({**p,
                       "title": label(p["name"], lang, "report.probe"),
                       # the paired runs' record: the experiments without a diagnosis show under it
                       "paired_runs": p["name"] == INTERVENTIONS and p.get("status") == "ok",
                       "chart_specs": specs,
                       "status_text": label(p.get("status", ""), lang, "status"),
                       "layers": layer_table(record, lang),
                       "measurements": measurement_rows(p["name"], p.get("findings") or {}, used, lang, meanings)})
    path = []
    for row in data["path"]:
        path.append({**row, "by": answered_by(row["source"], lang),
                     "measured_text": [{"observation": m.get("observation", ""), "text": measured_text(m, lang)}
                                       for m in row.get("measured", [])]})
    reproduce = data.get("reproduce") or {}
    versions = reproduce.get("versions") if isinstance(reproduce.get("versions"), Mapping) else {}
    return {
        "lang": lang,
        "mode": data.get("mode") or "probe",
        "mode_text": label(data.get("mode") or "probe", lang, "report.mode"),
        "target": data.get("target") or "",
        "tool": data.get("tool") or {},
        "verdict": data.get("verdict"),
        "summary": strong,
        "candidates": [] if strong else diagnoses[:3],
        "diagnoses": detailed,
        # the tested causes that have no section of their own among the
        # diagnoses (refuted ones, mostly): the paired runs' record shows them
        "experiments": [e for c, e in tested.items() if c not in shown],
        "setup": setup_rows(data.get("setup") or {}, lang),
        "path": [r for r in path if r.get("on_path")],
        "off_path": [r for r in path if not r.get("on_path")],
        "probes": probes,
        "checklist": checklist(result.session, lang, found={d["cause"] for d in strong}),
        "reproduce": {
            "command": reproduce.get("command"),
            "rows": [(label(k, lang, "report.reproduce"), setup_scalar(reproduce[k]))
                     for k in ("seed", "budget", "device") if reproduce.get(k) is not None],
            "versions": [(str(k), str(v)) for k, v in versions.items() if v],
        },
        "json": data,
    }
