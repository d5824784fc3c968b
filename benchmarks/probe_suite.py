"""Cost of the default probe suite on every example.

For each example in examples/: the wall time of the whole default suite
(`--budget fast`, the CLI's default; median of REPEATS runs, after loading
the target, excluding Python start-up), and per probe its seconds and its
cost in training-step equivalents (forward+backward passes it ran). Also
the wall time of one complete `loss-advisor probe` command, imports included.

Run: .venv/bin/python benchmarks/probe_suite.py [--budget fast|full] [--repeats N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loss_advisor.pipeline.runner import run_probes  # noqa: E402
from loss_advisor.probing.target import load_target  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", default="fast", choices=("fast", "full"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    examples = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
    totals: dict[str, float] = {}
    per_probe_s: dict[str, list[float]] = defaultdict(list)
    per_probe_steps: dict[str, list[int]] = defaultdict(list)
    for path in examples:
        times = []
        for _ in range(args.repeats):
            target = load_target(f"{path}:target")
            start = time.perf_counter()
            outcome = run_probes(target, budget=args.budget)
            times.append(time.perf_counter() - start)
        totals[path.stem] = statistics.median(times)
        for r in outcome.records:
            if r.status == "ok":
                per_probe_s[r.name].append(r.seconds)
                per_probe_steps[r.name].append(r.steps)
        print(f"  {path.stem:24} {totals[path.stem]:6.2f} s", flush=True)

    values = list(totals.values())
    print(f"\nwhole suite ({args.budget} budget), {len(values)} examples: median {statistics.median(values):.2f} s, "
          f"max {max(values):.2f} s ({max(totals, key=totals.get)})")
    print(f"\n{'probe':16} {'median s':>9} {'max s':>7} {'median steps':>13} {'max steps':>10}")
    for name in per_probe_s:
        s, n = per_probe_s[name], per_probe_steps[name]
        print(f"{name:16} {statistics.median(s):9.3f} {max(s):7.3f} {statistics.median(n):13.0f} {max(n):10d}")

    env = dict(os.environ)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "loss_advisor", "probe", "loss_advisor.examples.demo:target",
                    "--quiet", "--format", "json"], check=True, stdout=subprocess.DEVNULL, env=env)
    print(f"\none full `loss-advisor probe` command on the demo, imports included: {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
