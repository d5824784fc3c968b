"""Cost of the default probe suite on every example.

For each example in examples/: the wall time of the whole default suite
(`--budget fast`, the CLI's default; median of REPEATS runs, after loading
the target, excluding Python start-up), and per probe its seconds and its
cost in training-step equivalents (forward+backward passes it ran). Also
the wall time of one complete `loss-advisor probe` command, imports included.

The interventions (issue 13: paired short runs that test the leading
causes after the probes) run as the CLI runs them, unless --no-verify; the
time they add is reported on its own: over all examples, and over those
where some cause was likely enough to be tested.

Run: .venv/bin/python benchmarks/probe_suite.py [--budget fast|full] [--repeats N] [--only a,b] [--no-verify]
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

from loss_advisor.core.kb import load_kb  # noqa: E402
from loss_advisor.pipeline.api import intervention_stage  # noqa: E402
from loss_advisor.pipeline.runner import run_probes  # noqa: E402
from loss_advisor.probing.target import load_target  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", default="fast", choices=("fast", "full"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated example names (default: all)")
    parser.add_argument("--no-verify", action="store_true", help="leave out the interventions")
    args = parser.parse_args()
    examples = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
    if args.only:
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        examples = [p for p in examples if p.stem in wanted]
    stage = None if args.no_verify else intervention_stage(load_kb(), args.budget)
    added: dict[str, float] = {}
    tested: dict[str, int] = {}
    totals: dict[str, float] = {}
    per_probe_s: dict[str, list[float]] = defaultdict(list)
    per_probe_steps: dict[str, list[int]] = defaultdict(list)
    for path in examples:
        times = []
        for _ in range(args.repeats):
            target = load_target(f"{path}:target")
            start = time.perf_counter()
            outcome = run_probes(target, budget=args.budget, after=stage)
            times.append(time.perf_counter() - start)
        totals[path.stem] = statistics.median(times)
        if stage is not None:              # no record: nothing was likely enough to test
            added[path.stem], tested[path.stem] = 0.0, 0
        for r in outcome.records:
            if r.name == "interventions":
                added[path.stem] = r.seconds
                tested[path.stem] = len(r.details.get("outcomes") or {})
        for r in outcome.records:
            if r.status == "ok":
                per_probe_s[r.name].append(r.seconds)
                per_probe_steps[r.name].append(r.steps)
        extra = f"  interventions {added[path.stem]:5.2f} s, {tested[path.stem]} tested" if tested.get(path.stem) else ""
        print(f"  {path.stem:24} {totals[path.stem]:6.2f} s{extra}", flush=True)

    values = list(totals.values())
    print(f"\nwhole suite ({args.budget} budget), {len(values)} examples: median {statistics.median(values):.2f} s, "
          f"max {max(values):.2f} s ({max(totals, key=totals.get)})")
    if added:
        ran = [added[n] for n in added if tested[n]]
        print(f"interventions added: median {statistics.median(added.values()):.2f} s over all {len(added)} examples; "
              + (f"median {statistics.median(ran):.2f} s, max {max(ran):.2f} s over the {len(ran)} where causes "
                 f"were tested" if ran else "no example had a cause to test"))
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
