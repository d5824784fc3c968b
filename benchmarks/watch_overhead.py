"""Overhead of `loss-advisor watch`: the same script, plain and watched, side by side.

The workload is examples/scripts/benchmark.py (an MLP whose plain step
takes 10 ms or more on one CPU core). It times every iteration itself
(batch fetch, forward, backward, step), in wall-clock time and in CPU
time of the training thread, and writes the times to a file, so both
runs are measured by the same code, from inside the loop; process
start-up, torch's import and the watch's own record-keeping after the
script are not part of a step and are left out.

Each repetition runs the script plainly and under the watch (default
recording: every hook on, per-layer statistics every K-th step), in
alternating order so that a drift in the machine's load hits both alike.
The first WARMUP steps of each run are dropped (allocations, and the
watch's one-off discovery of the model). Reported, for both clocks: the
median step of each run, the median of those over the repetitions, and the
mean step as well (the mean includes the heavier K-th steps, the median
does not). On a shared machine the CPU clock is the fair one: waiting for
a core another process holds is not overhead.

A second measurement runs the same script with a tiny model (a step of a
fraction of a millisecond), where the watch's own per-step cost is most of
the difference: it gives that cost in microseconds, and so the overhead on
any step length, without the few-percent noise that separate processes
(memory layout, the allocator's state, the machine's load) put on a 10 ms
step.

Run: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/watch_overhead.py [--reps 7] [--steps 80]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "scripts" / "benchmark.py"
WARMUP = 5


def run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-2000:]}")


def step_times(path: Path) -> dict[str, list[float]]:
    times = json.loads(path.read_text())
    return {clock: values[WARMUP:] for clock, values in times.items()}


def measure(args: argparse.Namespace, env: dict[str, str], script_args: list[str], steps: int) -> list[dict]:
    """Per repetition: median and mean step, plain and watched, on both clocks."""
    watch = [sys.executable, "-m", "loss_advisor", "watch", "--quiet", "--format", "json",
             "--steps", str(steps + 10)] + (["--every", str(args.every)] if args.every else [])
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for rep in range(args.reps):
            plain, watched = Path(folder) / f"plain{rep}.json", Path(folder) / f"watched{rep}.json"
            runs = [[sys.executable, str(SCRIPT), *script_args, "--timings", str(plain)],
                    watch + [str(SCRIPT), *script_args, "--timings", str(watched)]]
            for command in (runs if rep % 2 == 0 else runs[::-1]):
                run(command, env)
            p, w = step_times(plain), step_times(watched)
            rows.append({f"{run_}_{stat}_{clock}": fn(times[clock])
                         for run_, times in (("plain", p), ("watched", w))
                         for stat, fn in (("median", statistics.median), ("mean", statistics.fmean))
                         for clock in ("wall", "cpu")})
    return rows


def overall(rows: list[dict], stat: str, clock: str) -> tuple[float, float]:
    return (statistics.median(r[f"plain_{stat}_{clock}"] for r in rows),
            statistics.median(r[f"watched_{stat}_{clock}"] for r in rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--steps", type=int, default=80, help="training steps per run")
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--every", type=int, default=None, help="the watch's --every (default: its own default)")
    parser.add_argument("--threads", default=os.environ.get("OMP_NUM_THREADS", "1"))
    parser.add_argument("--no-tiny", action="store_true", help="skip the absolute cost on a tiny model")
    args = parser.parse_args()

    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    rows = measure(args, env, ["--steps", str(args.steps), "--width", str(args.width)], args.steps)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores "
          f"(load average {os.getloadavg()[0]:.1f}), OMP_NUM_THREADS={args.threads}, "
          f"python {platform.python_version()}")
    print(f"workload: {SCRIPT.name} --width {args.width}, {args.steps} steps per run "
          f"(first {WARMUP} dropped), {args.reps} repetitions, alternating order")
    for clock, what in (("cpu", "CPU time of the training thread (robust to other load)"),
                        ("wall", "wall-clock time")):
        print(f"\nper-step {what}, ms")
        print(f"{'rep':>3}  {'plain':>8}  {'watched':>8}  {'overhead':>8}   {'plain mean':>10}  {'watched mean':>12}")
        for i, r in enumerate(rows):
            print(f"{i + 1:>3}  {r[f'plain_median_{clock}'] * 1e3:8.2f}  {r[f'watched_median_{clock}'] * 1e3:8.2f}  "
                  f"{r[f'watched_median_{clock}'] / r[f'plain_median_{clock}'] - 1:+8.1%}   "
                  f"{r[f'plain_mean_{clock}'] * 1e3:10.2f}  {r[f'watched_mean_{clock}'] * 1e3:12.2f}")
        for stat in ("median", "mean"):
            plain, watched = overall(rows, stat, clock)
            print(f"{stat} step ({clock}): plain {plain * 1e3:.2f} ms, watched {watched * 1e3:.2f} ms, "
                  f"overhead {watched / plain - 1:+.1%}")

    if not args.no_tiny:
        # A step of a fraction of a millisecond: the hooks' own cost is what differs.
        tiny_steps = 400
        tiny = measure(args, env, ["--steps", str(tiny_steps), "--width", "16", "--batch-size", "32"], tiny_steps)
        print(f"\nabsolute cost on a tiny model ({SCRIPT.name} --width 16 --batch-size 32, {tiny_steps} steps), "
              f"CPU time per step:")
        for stat in ("median", "mean"):
            plain, watched = overall(tiny, stat, "cpu")
            added = watched - plain
            print(f"{stat} step: plain {plain * 1e6:.0f} us, watched {watched * 1e6:.0f} us, "
                  f"added {added * 1e6:+.0f} us = {added / 0.010:+.2%} of a 10 ms step")


if __name__ == "__main__":
    main()
