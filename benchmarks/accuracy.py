"""Diagnosis accuracy on labelled case folders (validation/setN).

Each folder holds cases/<name>.py with a target() and labels.json listing
{"case", "expected", "also_ok"}. A case is right when the top diagnosis at
0.5 or above is expected (or also_ok); a healthy case when no fault reaches
0.5 (actually_decreasing reassures and does not count).

Run: .venv/bin/python benchmarks/accuracy.py validation/set1 [validation/set2 ...]
CI:  .venv/bin/python benchmarks/accuracy.py --check validation/floor.json --jobs 2
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


def run_case(folder: str, label: dict) -> tuple[bool, list, float]:
    """Diagnose one case: (right, the top two diagnoses, seconds)."""
    warnings.filterwarnings("ignore")
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            result = diagnose_target(load_target(f"{Path(folder) / 'cases' / label['case']}.py:target"), lang="en")
        diagnoses = result.session.diagnoses()
        good = judge(label, diagnoses)
        top = [(d.cause, round(d.confidence, 2)) for d in diagnoses[:2]]
    except TargetError as exc:
        good, top = False, [("load error", str(exc).splitlines()[0])]
    except Exception as exc:       # a crash is a miss, never the end of the benchmark
        good, top = False, [("CRASH", f"{type(exc).__name__}: {exc}".splitlines()[0])]
    return good, top, time.perf_counter() - start


def main(folders: list[str], jobs: int = 1) -> dict[str, tuple[int, int]]:
    """Print one line per case and return {folder: (right, healthy right)}.
    With jobs > 1 the cases run in that many worker processes (each case is
    independent and seeded, so the figures do not change; CI uses 2)."""
    warnings.filterwarnings("ignore")
    total = right = 0
    scores: dict[str, tuple[int, int]] = {}
    pool = None
    if jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
    try:
        for folder in map(Path, folders):
            labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
            if pool is not None:
                outcomes = pool.map(run_case, [str(folder)] * len(labels), labels)
            else:
                outcomes = (run_case(str(folder), label) for label in labels)
            ok = healthy_ok = healthy = 0
            for label, (good, top, seconds) in zip(labels, outcomes):
                is_healthy = label["expected"] in HEALTHY or "healthy" in label.get("also_ok", [])
                healthy += is_healthy
                healthy_ok += is_healthy and good
                ok += good
                print(f"{'ok ' if good else 'MISS'} {label['case']:42} {seconds:5.1f}s "
                      f"expected {label['expected']:26} got {top}", flush=True)
            print(f"{folder}: {ok}/{len(labels)} right (healthy {healthy_ok}/{healthy})\n")
            scores[folder.name] = (ok, healthy_ok)
            total += len(labels)
            right += ok
    finally:
        if pool is not None:
            pool.shutdown()
    print(f"all: {right}/{total} right")
    return scores


def check(floor_file: Path, jobs: int = 1) -> int:
    """Run the sets in the floor file; 1 when any falls below its floor."""
    floors = json.loads(floor_file.read_text(encoding="utf-8"))["sets"]
    scores = main([str(floor_file.parent / name) for name in floors], jobs=jobs)
    below = [f"{name}: {scores[name][0]} right (floor {f['right']}), healthy {scores[name][1]} (floor {f['healthy']})"
             for name, f in floors.items() if scores[name][0] < f["right"] or scores[name][1] < f["healthy"]]
    for line in below:
        print(f"BELOW THE FLOOR {line}")
    return 1 if below else 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="diagnosis accuracy on labelled case folders")
    parser.add_argument("folders", nargs="*", help="validation/setN folders (default: all)")
    parser.add_argument("--check", metavar="FLOOR.json", help="run the floor file's sets; exit 1 below a floor")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    args = parser.parse_args()
    if args.check:
        raise SystemExit(check(Path(args.check), jobs=args.jobs))
    main(args.folders or [str(p) for p in sorted((ROOT / "validation").glob("set*"))], jobs=args.jobs)
