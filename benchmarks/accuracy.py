"""Diagnosis accuracy on labelled case folders (validation/setN).

Each folder holds cases/<name>.py with a target() and labels.json listing
{"case", "expected", "also_ok"}. A case is right when the top diagnosis at
0.5 or above is expected (or also_ok); a healthy case when no fault reaches
0.5 (actually_decreasing reassures and does not count).

Run: .venv/bin/python benchmarks/accuracy.py validation/set1 [validation/set2 ...]
CI:  .venv/bin/python benchmarks/accuracy.py --check validation/floor.json
     runs the sets the floor file names and exits 1 when any set gets fewer
     cases right, or raises more false alarms on its healthy cases, than the
     floor recorded there: accuracy cannot regress silently.
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


def main(folders: list[str]) -> dict[str, tuple[int, int]]:
    """Print one line per case and return {folder: (right, healthy right)}."""
    warnings.filterwarnings("ignore")
    total = right = 0
    scores: dict[str, tuple[int, int]] = {}
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
            except Exception as exc:       # a crash is a miss, never the end of the benchmark
                good, top = False, [("CRASH", f"{type(exc).__name__}: {exc}".splitlines()[0])]
            is_healthy = label["expected"] in HEALTHY or "healthy" in label.get("also_ok", [])
            healthy += is_healthy
            healthy_ok += is_healthy and good
            ok += good
            print(f"{'ok ' if good else 'MISS'} {label['case']:42} {time.perf_counter() - start:5.1f}s "
                  f"expected {label['expected']:26} got {top}", flush=True)
        print(f"{folder}: {ok}/{len(labels)} right (healthy {healthy_ok}/{healthy})\n")
        scores[folder.name] = (ok, healthy_ok)
        total += len(labels)
        right += ok
    print(f"all: {right}/{total} right")
    return scores


def check(floor_file: Path) -> int:
    """Run the sets in the floor file; 1 when any falls below its floor."""
    floors = json.loads(floor_file.read_text(encoding="utf-8"))["sets"]
    scores = main([str(floor_file.parent / name) for name in floors])
    below = [f"{name}: {scores[name][0]} right (floor {f['right']}), healthy {scores[name][1]} (floor {f['healthy']})"
             for name, f in floors.items() if scores[name][0] < f["right"] or scores[name][1] < f["healthy"]]
    for line in below:
        print(f"BELOW THE FLOOR {line}")
    return 1 if below else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--check"]:
        raise SystemExit(check(Path(args[1])))
    main(args or [str(p) for p in sorted((ROOT / "validation").glob("set*"))])
