"""The typed probe records and their one converter to and from JSON."""
from __future__ import annotations

import json

import pytest

from loss_advisor.core.i18n import t
from loss_advisor.core.records import Curve, LayerTable, ProbeRecord, RecordShapeError


def test_a_record_round_trips_through_its_json_unchanged():
    record = ProbeRecord("short_run", "ok", 1.5, 20,
                         observations={"short_run.start_level": 2.3, "curve.relative_drop": 0.4},
                         details={"train": Curve([0, 1, 2], {"losses": [2.3, 1.9, 1.4], "grad_norms": [1.0, None, 0.5]}),
                                  "layers": LayerTable([{"layer": "fc", "grad_norm": 0.1}]),
                                  "recall": {"0": 0.5}},
                         notes=["a note"])
    data = record.to_dict()
    assert data["findings"]["train"] == {"steps": [0, 1, 2], "losses": [2.3, 1.9, 1.4], "grad_norms": [1.0, None, 0.5]}
    assert data["findings"]["start_level"] == 2.3 and data["findings"]["curve.relative_drop"] == 0.4
    back = ProbeRecord.from_dict(json.loads(json.dumps(data)))
    assert isinstance(back.details["train"], Curve) and isinstance(back.details["layers"], LayerTable)
    assert back.details["train"].series["losses"] == [2.3, 1.9, 1.4]
    assert back.to_dict() == data
    assert list(back.to_dict()["findings"]) == list(data["findings"])


def test_the_lr_sweep_curve_stays_inline_on_the_wire_and_comes_back_typed():
    findings = {"user_lr": 0.1, "lrs": [1e-4, 1e-3, 1e-2], "losses": [2.0, 1.5, 3.0],
                "smoothed": [2.0, 1.7, 2.2], "lr_range": [1e-4, 1e-2]}
    record = ProbeRecord.from_dict({"name": "lr_sweep", "status": "ok", "findings": findings})
    sweep = record.curves()["sweep"]
    assert sweep.x_label == "lrs" and sweep.x == findings["lrs"]
    assert sweep.series == {"losses": findings["losses"], "smoothed": findings["smoothed"]}
    assert sweep.marks == {"user_lr": 0.1}
    assert record.to_dict()["findings"] == findings


def test_a_message_key_survives_the_json_so_another_language_can_show_it():
    record = ProbeRecord("seeds", "skipped", message=t("probes.cancelled", "en"), message_key="probes.cancelled")
    back = ProbeRecord.from_dict(json.loads(json.dumps(record.to_dict("en"))))
    assert back.message_key == "probes.cancelled"
    assert back.message_in("ja") == t("probes.cancelled", "ja") != back.message_in("en")


def test_a_resumed_tui_session_keeps_the_message_key(tmp_path, kb):
    from loss_advisor.core.engine import Session
    from loss_advisor.core.result import Result
    from loss_advisor.surfaces.tui.controller import Controller

    record = ProbeRecord("seeds", "skipped", message=t("probes.cancelled", "en"), message_key="probes.cancelled")
    path = tmp_path / "session.json"
    path.write_text(json.dumps(Result(session=Session(kb, "en"), probes=[record], mode="tui").to_dict()))
    ctl = Controller.create("ja", resume=str(path), kb=kb)
    assert ctl.summaries["seeds"].message_in("ja") == t("probes.cancelled", "ja")


@pytest.mark.parametrize("item, words", [
    ([], "needs a 'name'"),
    ({"name": "x", "status": "maybe"}, "needs a 'name'"),
    ({"name": "x", "status": "ok", "findings": [1]}, "'findings' must be an object"),
    ({"name": "x", "status": "ok", "seconds": "soon"}, "must be numbers"),
])
def test_a_wrong_shape_is_one_line_naming_where(item, words):
    with pytest.raises(RecordShapeError, match=words) as info:
        ProbeRecord.from_dict(item, where="probes[3]")
    assert "probes[3]" in str(info.value) and "\n" not in str(info.value)


def test_what_is_no_curve_stays_a_plain_value():
    record = ProbeRecord("x", "ok", details={"counts": {"steps": "many"}, "final_losses": [1.0, 2.0],
                                             "events": [{"step": 1}]})
    assert record.curves() == {} and record.details["counts"] == {"steps": "many"}


def test_a_record_crosses_processes_whole():
    """The watched child hands its probe records to the parent as state():
    typed curves, the inline sweep and full observation names survive."""
    record = ProbeRecord("lr_sweep", "ok", 1.0, 3, observations={"lr_sweep.user_lr": 1e-3},
                         details={"sweep": Curve([1e-4, 1e-3], {"losses": [2.0, float("nan")]}, "lrs", inline=True),
                                  "train": Curve([0, 1], {"losses": [1.0, 0.5]})})
    again = ProbeRecord(**json.loads(json.dumps(record.state())))
    assert again.observations == {"lr_sweep.user_lr": 1e-3}
    assert again.curves()["train"].series == {"losses": [1.0, 0.5]}
    assert again.curves()["sweep"].inline and again.curves()["sweep"].series == {"losses": [2.0, None]}
    assert again.to_dict() == record.to_dict()
