"""Start-up time of each headless command on a small input (issue 16, point 6).

Each command runs in a fresh process, as a user runs it; the figure is the
median wall time of several runs. Inputs: a 200-row CSV log, the JSON result
`logs --format json` saves for it, an empty stdin for `ask`. For reference it
also times a bare interpreter and `import torch` (the commands that run the
user's model need torch; `logs`, `report`, `ask` and `kb` do not).

Run: .venv/bin/python benchmarks/startup.py [--runs N]

The first run of a command after the knowledge base changed validates it and
writes the cache (see loss_advisor/core/kb.py, load_kb_fast); that run is
shown apart as "cold".
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def command_prefix() -> list[str]:
    script = Path(sys.executable).with_name("loss-advisor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "loss_advisor"]


def timed(argv: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, proc.returncode


def write_log(path: Path, rows: int = 200) -> None:
    lines = ["step,train_loss,val_loss"]
    for i in range(rows):
        loss = 2.3 * math.exp(-i / 60) + 0.1 + 0.02 * math.sin(i * 1.7)
        val = f"{loss * 1.1:.5f}" if i % 20 == 0 else ""
        lines.append(f"{i},{loss:.5f},{val}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="la-startup-"))
    env = dict(os.environ, OMP_NUM_THREADS="1", LOSS_ADVISOR_CACHE_DIR=str(work / "cache"))
    la = command_prefix()
    try:
        log = work / "train.csv"
        write_log(log)
        saved = work / "result.json"
        proc = subprocess.run(la + ["logs", str(log), "--format", "json", "--lang", "en"],
                              capture_output=True, text=True, env=env)
        saved.write_text(proc.stdout, encoding="utf-8")
        shutil.rmtree(work / "cache", ignore_errors=True)     # the next run is cold again

        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ("import torch", [sys.executable, "-c", "import torch"], None),
            ("kb show", la + ["kb", "show", "--lang", "en"], None),
            ("logs train.csv", la + ["logs", str(log), "--lang", "en"], None),
            ("report result.json", la + ["report", str(saved), "--lang", "en"], None),
            ("ask < /dev/null", la + ["ask", "--lang", "en"], ""),
            ("kb check (validates)", la + ["kb", "check", "--lang", "en"], None),
        ]
        print(f"{'command':<24} {'cold s':>7} {'median s':>9} {'min s':>7}  exit")
        for name, argv, stdin in cases:
            cold, code = timed(argv, env, stdin)
            times = []
            for _ in range(args.runs):
                t, code = timed(argv, env, stdin)
                times.append(t)
            print(f"{name:<24} {cold:7.2f} {statistics.median(times):9.2f} {min(times):7.2f}  {code}")
            if name.startswith(("kb show", "logs", "report", "ask")):
                shutil.rmtree(work / "cache", ignore_errors=True)     # each command's first run is cold
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
