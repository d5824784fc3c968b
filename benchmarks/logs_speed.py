"""How fast `loss-advisor logs` reads and analyses a big log.

Writes a 1,000,000-row CSV (step, epoch, train_loss, val_loss every 1,000
steps, lr with two step drops, grad_norm) to a temporary folder, then times
reading + analysis (`loss_advisor.logs.analyse_path`, what `log_record`
does before wrapping the result) three times and prints the median. The
issue's target: at most 3 s. Run by hand:

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/logs_speed.py [--rows N]
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 3.0


def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "epoch", "train_loss", "val_loss", "lr", "grad_norm"])
        for i in range(rows):
            lr = 0.1 if i < rows // 2 else (0.01 if i < 3 * rows // 4 else 0.001)
            loss = (2.3 * math.exp(-i / (rows / 5)) + 0.1) * math.exp(rng.gauss(0, 0.2))
            val = f"{2.3 * math.exp(-i / (rows / 5)) + 0.15:.5f}" if i % 1000 == 0 else ""
            w.writerow([i, i // 5000, f"{loss:.5f}", val, lr, f"{1.0 + rng.random():.4f}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from loss_advisor.logs import analyse_path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "metrics.csv"
        started = time.perf_counter()
        write_csv(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(f"wrote {args.rows:,} rows ({size_mb:.1f} MB) in {time.perf_counter() - started:.1f} s")
        times, cpu = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            obs, details, _ = analyse_path(path)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        figure = statistics.median(times)
    print(f"read + analysis: median {figure:.2f} s wall of {args.repeat} ({', '.join(f'{s:.2f}' for s in times)}), "
          f"{statistics.median(cpu):.2f} s CPU; target <= {TARGET_S:.0f} s")
    print(f"points: {obs['curve.points']:,}, lr changes: {obs.get('logs.lr_changes')}, "
          f"start {obs['curve.start_loss']:.3g} -> end {obs['curve.end_loss']:.3g}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}, load average {load:.1f} "
          f"(wall time grows with other work on the machine; CPU time much less)")
    return 0 if figure <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
