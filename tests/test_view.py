"""The view model: one cut-off, the checklist's state, chart and picture
selection from typed records, number formatting."""
from __future__ import annotations

import json
import re
import pytest

from conftest import ROOT

from loss_advisor.core import view
from loss_advisor.core.engine import Session
from loss_advisor.core.records import Curve, LayerTable, ProbeRecord


def test_the_finding_cut_off_is_written_once():
    pattern = re.compile(r"confidence\s*>=?\s*0?\.5\b|\bFINDING\s*=\s*0?\.5\b")
    written = [str(p.relative_to(ROOT)) for p in (ROOT / "loss_advisor").rglob("*.py")
               if pattern.search(p.read_text(encoding="utf-8"))]
    assert written == ["loss_advisor/core/view.py"]
    assert view.is_finding(0.5) and not view.is_finding(0.4999)


def test_checklist_rows_name_the_faults_found_at_the_cut_off(kb):
    session = Session(kb, "en")
    rows = view.checklist(session, "en")
    assert [r["id"] for r in rows] == [r.id for r in kb.checklist]
    assert all(r["status"] == "unknown" and r["found"] == [] for r in rows)
    row = next(r for r in kb.checklist if any(kb.causes[c].kind == "fault" for c in r.causes))
    fault = next(c for c in row.causes if kb.causes[c].kind == "fault")
    found = next(r for r in view.checklist(session, "ja", found={fault}) if r["id"] == row.id)
    assert (fault, kb.causes[fault].title["ja"]) in found["found"]
    conf = {d.cause: d.confidence for d in session.diagnoses()}
    for r in rows:       # the likeliest cause of each row, which the TUI opens
        assert r["top"][2] == max(conf[c] for c in r["causes"]) and r["top"][0] in r["causes"]


def _curve(n=20):
    return Curve(list(range(n)), {"losses": [2.0 / (s + 1) for s in range(n)]})


def test_a_short_run_a_log_and_a_watched_script_get_the_same_picture_and_charts():
    for name in ("short_run", "logs", "watch"):
        record = ProbeRecord(name, "ok", details={"train": _curve(), "val": _curve(5)})
        shown = view.picture(record)
        assert shown is not None and shown.kind == "curve" and set(shown.curves) == {"train", "val"}
        specs, used = view.chart_specs(record, "en")
        assert [s.key for s in specs] == [f"{name}-train-losses", f"{name}-val-losses"]
        assert used == {"train", "val"}


def test_pictures_follow_the_artifacts_not_the_name():
    sweep = ProbeRecord("anything", "ok", details={"lrs": [1e-4, 1e-3, 1e-2], "losses": [2.0, 1.0, 5.0]})
    assert view.picture(sweep).kind == "lr"
    table = ProbeRecord("anything", "ok", details={"layers": LayerTable([{"layer": "fc", "grad_norm": 0.1}])})
    assert view.picture(table).kind == "gradients"
    assert view.picture(ProbeRecord("anything", "ok", details={"user_curve": [3.0, 2.0, 1.0]})).kind == "overfit"
    assert view.picture(ProbeRecord("anything", "ok", details={"note": "no curve"})) is None


def test_a_saved_record_charts_as_the_live_one():
    live = ProbeRecord("lr_sweep", "ok", observations={"lr_sweep.user_lr": 1e-3},
                       details={"sweep": Curve([1e-4, 1e-3, 1e-2], {"losses": [2.0, 1.0, 5.0], "smoothed": [2.0, 1.5, 3.0]},
                                               "lrs", {"user_lr": 1e-3}, inline=True)})
    saved = ProbeRecord.from_dict(json.loads(json.dumps(live.to_dict())))
    assert view.chart_specs(saved, "en") == view.chart_specs(live, "en")
    specs, used = view.chart_specs(live, "en")
    assert used == {"lrs", "losses", "smoothed"}     # the wire's keys, left out of the measurement table
    assert "log10 -3" in specs[0].notes[0]


def test_numbers_read_the_same_everywhere():
    assert view.fmt_number(1234567) == "1,234,567"
    assert view.fmt_number(0.000123456) == "0.0001235"
    assert view.fmt_number(float("nan")) == "NaN" and view.fmt_number(None) == "—"
    assert view.plain_number(1.5e-7) == "0.00000015"
    assert view.format_any([1, 2.5, None]) == "[1, 2.5, —]"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_probe_table_s_columns_line_up_whatever_the_status(lang):
    """'skipped' is longer than the column was, and Japanese statuses are
    wide characters: the seconds column starts at one terminal column."""
    from loss_advisor.core.engine import Session
    from loss_advisor.core.kb import load_kb
    from loss_advisor.core.records import ProbeRecord
    from loss_advisor.core.result import Result

    probes = [ProbeRecord("data", "ok", 0.03), ProbeRecord("sequence", "skipped", 0.0),
              ProbeRecord("labels", "error", 1.5, message="boom")]
    text = Result(session=Session(load_kb(), lang=lang), probes=probes).to_text()
    rows = [line for line in text.splitlines() if line.strip().split(" ")[0] in {"data", "sequence", "labels"}]
    assert len(rows) == 3
    columns = {view.display_width(row[:row.index(" s  ")]) for row in rows}
    assert len(columns) == 1, rows
