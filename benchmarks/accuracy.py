"""Diagnosis accuracy on labelled case folders (validation/setN).

Each folder holds cases/<name>.py with a target() and labels.json listing
{"case", "expected", "also_ok"}. A case is right when the top diagnosis at
0.5 or above is expected (or also_ok); a healthy case when no fault reaches
0.5 (actually_decreasing reassures and does not count).

Run: .venv/bin/python benchmarks/accuracy.py validation/set1 [validation/set2 ...]
"""
from __future__ import annotations

import contextlib
import io
import json
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loss_advisor.pipeline.api import diagnose_target  # noqa: E402
from loss_advisor.probing.target import TargetError, load_target  # noqa: E402

HEALTHY = {"healthy"}


def judge(label: dict, diagnoses) -> bool:
    alarms = [d for d in diagnoses if d.confidence >= 0.5]
    expected, also = label["expected"], set(label.get("also_ok", []))
    if expected in HEALTHY or (expected == "actually_decreasing" and also & HEALTHY):
        return not [d for d in alarms if d.cause != "actually_decreasing"]
    return bool(alarms) and (alarms[0].cause == expected or alarms[0].cause in also)


def main(folders: list[str]) -> int:
    warnings.filterwarnings("ignore")
    total = right = 0
    for folder in map(Path, folders):
        labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
        ok = healthy_ok = healthy = 0
        for label in labels:
            start = time.perf_counter()
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    result = diagnose_target(load_target(f"{folder / 'cases' / label['case']}.py:target"), lang="en")
                diagnoses = result.session.diagnoses()
                good = judge(label, diagnoses)
                top = [(d.cause, round(d.confidence, 2)) for d in diagnoses[:2]]
            except TargetError as exc:
                good, top = False, [("load error", str(exc).splitlines()[0])]
            is_healthy = label["expected"] in HEALTHY or "healthy" in label.get("also_ok", [])
            healthy += is_healthy
            healthy_ok += is_healthy and good
            ok += good
            print(f"{'ok ' if good else 'MISS'} {label['case']:42} {time.perf_counter() - start:5.1f}s "
                  f"expected {label['expected']:26} got {top}", flush=True)
        print(f"{folder}: {ok}/{len(labels)} right (healthy {healthy_ok}/{healthy})\n")
        total += len(labels)
        right += ok
    print(f"all: {right}/{total} right")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or [str(p) for p in sorted((ROOT / "validation").glob("set*"))]))
