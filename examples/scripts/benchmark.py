"""The overhead benchmark's workload: a wider MLP on synthetic 28x28
"images", with steps of 10 ms or more on a CPU core.

A plain, healthy loop that times each iteration itself (batch fetch,
forward, backward, step), in wall-clock seconds and in CPU seconds of the
training thread, and with --timings FILE writes both as JSON, so that
benchmarks/watch_overhead.py can compare the same script run plainly and
under `loss-advisor watch`.

    python benchmark.py --steps 60 --width 1024 --timings times.json
"""
import argparse
import json
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="training steps to run")
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--timings", default=None, help="write the per-step seconds here (JSON)")
    args = parser.parse_args()

    torch.manual_seed(0)
    examples = args.batch_size * 16
    inputs = torch.randn(examples, 784)
    labels = (inputs[:, :10].sum(1) > 0).long() + 2 * (inputs[:, 10:20].sum(1) > 0).long()
    loader = DataLoader(TensorDataset(inputs, labels), batch_size=args.batch_size, shuffle=True, drop_last=True)
    model = nn.Sequential(nn.Linear(784, args.width), nn.ReLU(), nn.Linear(args.width, args.width), nn.ReLU(),
                          nn.Linear(args.width, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    times, cpu_times = [], []
    step = 0
    try:
        while step < args.steps:
            batches = iter(loader)
            while step < args.steps:
                started, cpu_started = time.perf_counter(), time.thread_time()
                try:
                    x, y = next(batches)
                except StopIteration:
                    break
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                times.append(time.perf_counter() - started)
                cpu_times.append(time.thread_time() - cpu_started)
                step += 1
    finally:     # also when a watch stops the script part-way
        if args.timings:
            with open(args.timings, "w") as out:
                json.dump({"wall": times, "cpu": cpu_times}, out)
    print(f"{step} steps, median {sorted(times)[len(times) // 2] * 1000:.1f} ms per step, last loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
