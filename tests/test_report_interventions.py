"""The Markdown report shows the paired runs (issue 13.5): every diagnosis
tested by an intervention has what was changed, the steps, the seeds, the
loss as is and with the change, the spread and the verdict, and one chart
with both loss curves; a consequence says what it follows from; causes
tested and refuted show with the experiments' record. Parsed with
markdown-it-py, as in test_report.py. No torch run: the outcomes are the
engine's inputs, as the pipeline would hand them over."""
from __future__ import annotations

import json

import pytest

from loss_advisor.core.engine import Session
from loss_advisor.core.i18n import pick, t
from loss_advisor.core.records import Curve, ProbeRecord
from loss_advisor.core.result import Result
from loss_advisor.surfaces.report import render_markdown
from test_report import close, fences, headings, parse_mermaid, parser, tables

STEPS = [0, 10, 20, 30, 40]
AS_IS = [2.30, 2.41, 2.38, 2.35, 2.33]
WITH = [2.30, 1.20, 0.71, 0.45, 0.31]
SHUFFLE_AS_IS = [2.30, 2.10, 1.90, 1.80, 1.75]
SHUFFLE_WITH = [2.30, 2.11, 1.92, 1.79, 1.74]


def _outcomes() -> dict:
    gone = {"dead_relu": {"as_is": 0.95, "with_change": 0.04, "present_as_is": True, "present_with_change": False}}
    return {
        "lr_too_high": {"mechanism": "lr_lower", "params": {"lr": 0.003, "user_lr": 1.0, "how": "suggested"},
                        "steps": 40, "seeds": [0, 1, 2], "loss_as_is": 2.33, "loss_with_change": 0.31,
                        "losses_as_is": [2.31, 2.33, 2.35], "losses_with_change": [0.30, 0.31, 0.32],
                        "spread": 0.02, "verdict": "confirmed", "symptoms": gone},
        "data_not_shuffled": {"mechanism": "shuffle_order", "params": {}, "steps": 40, "seeds": [0, 1, 2],
                              "loss_as_is": 1.75, "loss_with_change": 1.74, "spread": 0.03, "verdict": "refuted"},
    }


def _result(lang: str, kb, outcomes=None, curves=None) -> Result:
    session = Session(kb, lang)
    session.answer("q_dead_units", "many")       # dead ReLUs well above 0.5 from the probes' side
    session.answer("q_lr_position", "near_divergence")   # and a sign of the rate: the root, tested as a runner-up
    outcomes = outcomes or _outcomes()
    session.set_interventions(outcomes)
    curves = curves if curves is not None else {
        "lr_too_high": Curve(STEPS, {"as_is": AS_IS, "with_change": WITH}),
        "data_not_shuffled": Curve(STEPS, {"as_is": SHUFFLE_AS_IS, "with_change": SHUFFLE_WITH})}
    record = ProbeRecord("interventions", "ok", seconds=1.5, steps=240,
                         details={"outcomes": outcomes, **curves})
    return Result(session=session, probes=[record], mode="probe")


def _section(md: str, heading: str) -> str:
    """The source from a heading line to the next heading of the same or a higher level."""
    lines = md.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("#") and heading in line)
    level = len(lines[start]) - len(lines[start].lstrip("#"))
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith("#") and len(lines[i]) - len(lines[i].lstrip("#")) <= level), len(lines))
    return "\n".join(lines[start:end])


def _title(kb, cause: str, lang: str) -> str:
    return pick(kb.causes[cause].title, lang)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_tested_diagnosis_shows_its_experiment_and_one_chart_of_both_curves(kb, lang):
    md = render_markdown(_result(lang, kb))
    tokens = parser().parse(md)
    assert t("report.experiment.title", lang) in headings(tokens, 4)
    section = _section(md, f"({'`lr_too_high`'}")
    part = parser().parse(section)
    assert t("report.experiment.title", lang) in headings(part, 4)
    rows = dict(tuple(r) for r in tables(part, section)[0]["rows"])
    assert "0.003" in rows[t("report.experiment.change", lang)]
    assert rows[t("report.experiment.steps", lang)] == "40"
    assert rows[t("report.experiment.seeds", lang)] == "0, 1, 2"
    assert rows[t("report.experiment.loss_as_is", lang)].startswith("2.33")
    assert rows[t("report.experiment.loss_with_change", lang)].startswith("0.31")
    assert "0.3, 0.31, 0.32" in rows[t("report.experiment.loss_with_change", lang)]
    assert rows[t("report.experiment.spread", lang)] == "±0.02"
    assert t("report.experiment.verdict.confirmed", lang) in rows[t("report.experiment.verdict", lang)]
    assert "dead_relu" in rows[t("report.experiment.explains", lang)]
    charts = [parse_mermaid(block) for block in fences(part, "mermaid")]
    assert len(charts) == 1
    chart = charts[0]
    assert chart["title"] == t("report.chart.intervention", lang, cause=_title(kb, "lr_too_high", lang))
    assert [name for _, name, _ in chart["series"]] == [t("report.series.as_is", lang),
                                                       t("report.series.with_change", lang)]
    assert close(chart["series"][0][2], AS_IS) and close(chart["series"][1][2], WITH)
    assert chart["x_range"] == (0, 40)
    # the summary marks the confirmed cause, and its first reason is the measured sentence
    summary = tables(tokens, md)[0]
    top = summary["rows"][0]
    assert "lr_too_high" in top[2] and t("text.confirmed", lang) in top[2]
    assert "0.31" in top[3] and "2.33" in top[3]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_consequence_names_its_root(kb, lang):
    md = render_markdown(_result(lang, kb))
    section = _section(md, "(`dead_relu`")
    assert f"**{t('report.follows_from', lang)}:**" in section
    paragraph = next(tok.content for tok in parser().parse(section) if tok.type == "inline"
                     and t("report.follows_from", lang) in tok.content)
    assert _title(kb, "lr_too_high", lang) in paragraph and "lr_too_high" in paragraph
    # the order: the root's section first
    assert md.index("(`lr_too_high`") < md.index("(`dead_relu`")
    summary = tables(parser().parse(md), md)[0]
    dead = next(r for r in summary["rows"] if "dead_relu" in r[2])
    assert t("text.consequence_of", lang, cause="lr_too_high") in dead[2]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_refuted_cause_shows_with_the_experiments_record(kb, lang):
    md = render_markdown(_result(lang, kb))
    assert "(`data_not_shuffled`" not in _section(md, f"## {t('report.diagnoses', lang)}")
    record = _section(md, "(`interventions`)")
    tokens = parser().parse(record)
    assert any("data_not_shuffled" in h for h in headings(tokens, 4))
    rows = dict(tuple(r) for r in tables(tokens, record)[0]["rows"])
    assert t("report.experiment.verdict.refuted", lang) in rows[t("report.experiment.verdict", lang)]
    charts = [parse_mermaid(block) for block in fences(tokens, "mermaid")]
    assert len(charts) == 1 and close(charts[0]["series"][1][2], SHUFFLE_WITH)
    # each paired run is drawn once (the record's curves are not drawn again, one series a chart)
    titles = [parse_mermaid(b)["title"] for b in fences(parser().parse(md), "mermaid")]
    assert sorted(titles) == sorted(t("report.chart.intervention", lang, cause=_title(kb, c, lang))
                                    for c in ("lr_too_high", "data_not_shuffled"))


def test_a_saved_result_renders_the_same_experiments(kb):
    live = _result("en", kb)
    saved = Result.from_dict(json.loads(json.dumps(live.to_dict())), kb=kb)
    assert render_markdown(saved) == render_markdown(live)


def test_an_arm_that_diverged_at_once_is_named_not_drawn(kb):
    diverged = [2.30, None, None, None, None]
    outcomes = _outcomes()
    outcomes["lr_too_high"].update(loss_as_is=None, losses_as_is=[float("inf")] * 3, spread=None)
    md = render_markdown(_result("en", kb, outcomes, {"lr_too_high": Curve(STEPS, {"as_is": diverged,
                                                                                   "with_change": WITH})}))
    section = _section(md, "(`lr_too_high`")
    charts = [parse_mermaid(b) for b in fences(parser().parse(section), "mermaid")]
    assert len(charts) == 1 and [n for _, n, _ in charts[0]["series"]] == ["with the change"]
    assert t("report.chart.diverged_left_out", "en", series="as is", step="10") in section
    rows = dict(tuple(r) for r in tables(parser().parse(section), section)[0]["rows"])
    assert rows["Loss at the end, as is"].startswith("diverged")


def test_without_experiments_the_report_has_no_experiment_section(kb):
    session = Session(kb)
    session.answer("q_dead_units", "many")
    md = render_markdown(Result(session=session, probes=[], mode="probe"))
    assert t("report.experiment.title", "en") not in md and t("report.series.with_change", "en") not in md


def test_the_tui_pictures_a_paired_run_by_its_curves(kb):
    from loss_advisor.core.view import experiment_picture, picture
    record = _result("en", kb).probes[0]
    shown = picture(record)
    assert shown.kind == "experiment" and set(shown.curves) == {"lr_too_high", "data_not_shuffled"}
    one = experiment_picture(record, "lr_too_high")
    assert set(one.curves) == {"lr_too_high"} and one.curves["lr_too_high"].series["with_change"] == WITH
    assert experiment_picture(record, "dead_relu") is None
