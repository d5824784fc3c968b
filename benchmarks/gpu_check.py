"""The GPU check, ready to run on a CUDA machine (issue 15), in one go under
five minutes. On a machine without CUDA it says so and exits 0: CI never
needs a GPU.

What it prints, on CUDA:
- per example: the wall time of the default probe suite with --device cuda,
  and the seconds of each probe;
- bit-identical restore on CUDA: the user's weights, buffers and gradients
  after a full probe run, compared with torch.equal;
- the peak-memory ratio: torch.cuda.max_memory_allocated during a probe run
  against 20 plain training steps of the same set-up;
- an fp16 + GradScaler set-up (the user's own train_step) probed end to end.

Run: .venv/bin/python benchmarks/gpu_check.py
"""
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loss_advisor.pipeline.runner import run_probes  # noqa: E402
from loss_advisor.probing.target import from_object, load_target  # noqa: E402

EXAMPLES = ["demo", "healthy_digits", "lr_too_high", "healthy_wide", "vanishing_sigmoid"]


def state_of(model: nn.Module) -> dict[str, torch.Tensor]:
    out = {k: v.detach().clone() for k, v in model.state_dict().items()}
    out.update({f"{n}.grad": p.grad.detach().clone() for n, p in model.named_parameters() if p.grad is not None})
    return out


def plain_steps(target, steps: int = 20) -> None:
    model = target.model.cuda()
    opt = target.optimizer(model.parameters())
    batches = iter(target.train_data)
    for _ in range(steps):
        try:
            x, y = next(batches)
        except StopIteration:
            batches = iter(target.train_data)
            x, y = next(batches)
        opt.zero_grad()
        loss = target.loss_fn(model(x.cuda()), y.cuda())
        loss.backward()
        opt.step()


def fp16_scaler_target():
    torch.manual_seed(0)
    x = torch.randn(2048, 32)
    y = (x[:, :4].sum(1) > 0).long()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(32, 256), nn.ReLU(), nn.Linear(256, 2)).cuda()
    scaler = torch.amp.GradScaler("cuda")

    def train_step(model, batch, optimizer, loss_fn):
        inputs, targets = (t.cuda() for t in batch)
        optimizer.zero_grad()
        with torch.autocast("cuda", dtype=torch.float16):
            loss = loss_fn(model(inputs), targets)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        return loss

    return from_object({"model": model, "loss_fn": nn.CrossEntropyLoss(),
                        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
                        "train_data": loader, "train_step": train_step}, "gpu_check:fp16_scaler")


def main() -> int:
    if not torch.cuda.is_available():
        print("gpu_check: no CUDA device found; nothing measured (the README says so).")
        return 0
    warnings.filterwarnings("ignore")
    print(f"device: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    start_all = time.perf_counter()
    for name in EXAMPLES:
        target = load_target(f"{ROOT / 'examples' / name}.py:target")
        target.model.cuda()
        before = state_of(target.model)
        torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        outcome = run_probes(target, device="cuda", budget="fast")
        torch.cuda.synchronize()
        wall = time.perf_counter() - start
        probe_peak = torch.cuda.max_memory_allocated()
        after = state_of(target.model)
        identical = before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)
        torch.cuda.reset_peak_memory_stats()
        plain_steps(load_target(f"{ROOT / 'examples' / name}.py:target"))
        torch.cuda.synchronize()
        plain_peak = torch.cuda.max_memory_allocated()
        per_probe = ", ".join(f"{r.name} {r.seconds:.2f}s{'' if r.status == 'ok' else ' (' + r.status + ')'}"
                              for r in outcome.records)
        print(f"{name}: suite {wall:.1f} s; restore bit-identical: {identical}; peak memory probes "
              f"{probe_peak / 2**20:.0f} MiB vs 20 plain steps {plain_peak / 2**20:.0f} MiB "
              f"(ratio {probe_peak / max(plain_peak, 1):.2f})\n  {per_probe}")
    target = fp16_scaler_target()
    start = time.perf_counter()
    outcome = run_probes(target, device="cuda", budget="fast")
    statuses = {r.name: r.status for r in outcome.records}
    print(f"fp16 + GradScaler train_step: suite {time.perf_counter() - start:.1f} s; {statuses}")
    print(f"total {time.perf_counter() - start_all:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
