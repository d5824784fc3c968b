"""Probing a model that fills the machine (issue 15): time and peak memory.

A healthy MLP regressor of 88M parameters (1024 inputs, six hidden layers
of 4096, ReLU, PyTorch's default initialisation), Adam at 1e-4, batches
of 64 from 4096 generated examples whose target is a smooth function of
the inputs. Measured, each in its own subprocess so that the peaks are
separate:

- plain training: PLAIN_STEPS steps of the same set-up, as the user's
  loop would run them (peak RSS);
- `loss-advisor probe --budget fast` on it (wall time, peak RSS, the time
  of every probe and what the run concluded).

The ratio of the two peaks is what issue 15 bounds at 1.25: probes work
on the user's model in place and spill their snapshot to a file, so they
hold what training holds. Peaks are the kernel's ru_maxrss of each child
(ru_maxrss of each child, reported as it exits), torch's own pages included.

Run: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/scale.py [--budget fast|full|SECONDS]
(about two minutes on 2 cores; the figures go to stdout).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

IN_FEATURES, WIDTH, HIDDEN_LAYERS = 1024, 4096, 6
EXAMPLES, BATCH = 4096, 64
PLAIN_STEPS = 20
LIMIT = 1.25


def target(seed: int | None = None):
    """The set-up, as a user would write it (probe FILE.py:target)."""
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0 if seed is None else seed)
    layers: list[nn.Module] = [nn.Linear(IN_FEATURES, WIDTH), nn.ReLU()]
    for _ in range(HIDDEN_LAYERS - 1):
        layers += [nn.Linear(WIDTH, WIDTH), nn.ReLU()]
    layers.append(nn.Linear(WIDTH, 1))
    model = nn.Sequential(*layers)
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(EXAMPLES, IN_FEATURES, generator=gen)
    w = torch.randn(IN_FEATURES, generator=gen) / IN_FEATURES ** 0.5
    y = (torch.tanh(x @ w) + 0.1 * torch.randn(EXAMPLES, generator=gen)).unsqueeze(1)
    split = EXAMPLES * 7 // 8
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-4),
        "train_data": DataLoader(TensorDataset(x[:split], y[:split]), batch_size=BATCH, shuffle=True,
                                 generator=torch.Generator().manual_seed(2)),
        "val_data": DataLoader(TensorDataset(x[split:], y[split:]), batch_size=256),
        "task": "regression",
    }


def plain_training() -> None:
    """PLAIN_STEPS steps of the user's loop (run in a child process)."""
    import torch

    setup = target()
    model, loss_fn = setup["model"], setup["loss_fn"]
    opt = setup["optimizer"](model.parameters())
    start, steps = time.perf_counter(), 0
    model.train()
    while steps < PLAIN_STEPS:
        for x, y in setup["train_data"]:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            steps += 1
            if steps >= PLAIN_STEPS:
                break
    print(json.dumps({"seconds_per_step": (time.perf_counter() - start) / steps,
                      "parameters": sum(p.numel() for p in model.parameters()), "loss": float(loss)}))


def _child(argv: list[str]) -> tuple[float, int, str, str]:
    """Run argv; wall seconds, peak RSS in bytes, stdout, stderr."""
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    # The child reports its own peak when it exits (PEAK_WRAPPER): that is
    # the peak of this one process, whatever else ran before it.
    return wall, proc.returncode, out, err


PEAK_WRAPPER = r"""
import resource, runpy, sys, json, atexit
def report():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    sys.stderr.write("\nPEAK_RSS=%d\n" % peak)
atexit.register(report)
sys.argv = sys.argv[1:]
if sys.argv[0] == "-m":
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _peak(err: str) -> int:
    for line in reversed(err.splitlines()):
        if line.startswith("PEAK_RSS="):
            return int(line.split("=", 1)[1])
    raise RuntimeError("the child did not report its peak memory:\n" + err[-2000:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", default="fast", help="fast, full or seconds (default fast)")
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain:
        plain_training()
        return 0
    py = sys.executable
    wrapper = [py, "-c", PEAK_WRAPPER]
    wall, code, out, err = _child(wrapper + [str(Path(__file__).resolve()), "--plain"])
    if code != 0:
        print(err, file=sys.stderr)
        return 1
    plain = json.loads(out.strip().splitlines()[-1])
    plain_peak = _peak(err)
    print(f"model: {plain['parameters'] / 1e6:.1f}M parameters, Adam, batch {BATCH}; "
          f"plain training {plain['seconds_per_step']:.2f} s per step", flush=True)
    print(f"plain training, {PLAIN_STEPS} steps: peak RSS {plain_peak / 2 ** 30:.2f} GiB", flush=True)

    wall, code, out, err = _child(wrapper + ["-m", "loss_advisor", "probe", f"{Path(__file__).resolve()}:target",
                                             "--budget", args.budget, "--format", "json"])
    if code != 0:
        print(err, file=sys.stderr)
        return 1
    result = json.loads(out)
    probe_peak = _peak(err)
    ratio = probe_peak / plain_peak
    print(f"probe --budget {args.budget}: {wall:.1f} s wall (start-up included), "
          f"peak RSS {probe_peak / 2 ** 30:.2f} GiB", flush=True)
    print(f"peak ratio probe / plain training: {ratio:.2f} (limit {LIMIT})")
    print("per probe: " + ", ".join(f"{p['name']} {p['seconds']:.1f} s {p['status']}"
                                    + (f" ({p['message']})" if p.get("message") else "")
                                    for p in result["probes"]))
    strong = [f"{d['cause']} {d['confidence']:.2f}" for d in result["diagnoses"] if d["confidence"] >= 0.5]
    print(f"verdict: {result['verdict']['kind']}; findings at 0.5 or above: {', '.join(strong) or 'none'}")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
