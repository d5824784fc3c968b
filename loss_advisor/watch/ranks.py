"""Several processes under `torchrun -m loss_advisor watch`: one result.

Every rank watches its own copy of the script (the children form the
script's process group; the watchers do not). The watchers meet through
files in a folder that all local ranks share, keyed by the torchrun agent
(their common parent process) and the rendezvous port:

- every rank writes what it saw (its replica checksums and losses) and its
  exit status;
- rank 0 waits, bounded, for the others, compares the ranks (the `ddp.*`
  observations), and alone prints the result;
- the other ranks wait, bounded, for rank 0's exit status and return it, so
  that the status is the same on every rank; nobody waits forever on a rank
  that died.

Files, not collectives: a watcher that has lost its script must never hang
in a collective the others do not reach. Torch-free. One node: ranks on
other nodes are not gathered (their folder is another machine's).
"""
from __future__ import annotations

import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from loss_advisor.core.observations import declare
from loss_advisor.watch.protocol import read_json, write_json

# Seconds rank 0 waits for the other ranks' files after its own watch ended,
# and the others wait for rank 0's status: the ranks stop at the same step
# count, so they finish within seconds of each other unless one died.
GATHER_SECONDS = 60.0
POLL_SECONDS = 0.2

OBSERVATIONS = declare(
    "ddp",
    ("world_size", "count", "processes in the torch.distributed job (WORLD_SIZE)", "torch.distributedのプロセス数(WORLD_SIZE)"),
    ("ranks_compared", "count", "ranks whose records rank 0 gathered and compared", "rank 0が集めて比較したrankの数"),
    ("param_divergence", "ratio",
     "largest relative difference between two ranks' parameter sums at the same step (0 for DDP replicas, "
     "which are bit-identical after every step)",
     "同じステップでの各rankのパラメータ総和の最大相対差(DDPのレプリカは毎ステップ完全一致するので0)"),
    ("diverged_from_step", "step", "first compared step at which the ranks' parameters differed",
     "各rankのパラメータが食い違った最初の比較ステップ"),
    ("loss_spread", "ratio", "relative spread of the ranks' final losses (each rank sees its own shard)",
     "各rankの最終lossの相対的なばらつき(rankごとに別のデータを見る)"),
)


@dataclass(frozen=True)
class Job:
    rank: int
    world_size: int
    local_world_size: int
    folder: Path


def job_from_env(env: Mapping[str, str] | None = None) -> Job | None:
    """The torchrun job this process belongs to, or None for a single process."""
    env = os.environ if env is None else env
    try:
        rank, world = int(env.get("RANK", "0")), int(env.get("WORLD_SIZE", "1"))
        local_world = int(env.get("LOCAL_WORLD_SIZE", str(world)))
    except ValueError:
        return None
    if world <= 1:
        return None
    key = f"{_agent()}-{env.get('MASTER_PORT', '0')}-{env.get('TORCHELASTIC_RUN_ID', 'none')}"
    folder = Path(tempfile.gettempdir()) / f"loss-advisor-ranks-{key}"
    folder.mkdir(parents=True, exist_ok=True)
    return Job(rank, world, local_world, folder)


def _agent() -> str:
    """The torchrun agent (every local rank's parent): its pid and, where /proc
    tells it, its start time, so that a reused pid never meets an old folder."""
    ppid = os.getppid()
    try:
        started = Path(f"/proc/{ppid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        started = "0"
    return f"{ppid}.{started}"


def share(job: Job, seen: Mapping[str, Any]) -> None:
    """This rank's record summary, for rank 0."""
    write_json(job.folder / f"rank{job.rank}.json", dict(seen))


def gather(job: Job, timeout: float = GATHER_SECONDS) -> list[dict[str, Any]]:
    """Rank 0: the summaries of every local rank that wrote one in time (its own included)."""
    deadline = time.monotonic() + timeout
    wanted = [job.folder / f"rank{r}.json" for r in range(min(job.world_size, job.local_world_size))]
    while time.monotonic() < deadline and not all(p.exists() for p in wanted):
        time.sleep(POLL_SECONDS)
    found = [data for data in map(read_json, wanted) if data is not None]
    for path in wanted:
        path.unlink(missing_ok=True)
    return found


def announce(job: Job, code: int) -> None:
    """Rank 0: the exit status every rank returns."""
    write_json(job.folder / "status.json", {"code": code})


def await_status(job: Job, own: int, timeout: float = GATHER_SECONDS + 30.0) -> int:
    """The other ranks: rank 0's exit status, or their own when rank 0 never says."""
    deadline = time.monotonic() + timeout
    path = job.folder / "status.json"
    while time.monotonic() < deadline:
        data = read_json(path)
        if data is not None and isinstance(data.get("code"), int):
            return data["code"]
        time.sleep(POLL_SECONDS)
    return own


def summary_of(distributed: Mapping[str, Any] | None, code: int) -> dict[str, Any]:
    """What a rank shares: its replica checksums, last loss and exit status
    (`distributed` is the watch record's details["distributed"])."""
    distributed = distributed or {}
    return {"rank": distributed.get("rank"), "code": code, "param_sums": distributed.get("param_sums") or [],
            "last_loss": distributed.get("last_loss")}


def compare(summaries: list[Mapping[str, Any]], world_size: int) -> dict[str, Any]:
    """The ddp.* observations from the ranks' summaries."""
    obs: dict[str, Any] = {"ddp.world_size": world_size, "ddp.ranks_compared": len(summaries)}
    by_step: dict[int, list[float]] = {}
    for s in summaries:
        for step, total in s.get("param_sums") or []:
            if isinstance(total, (int, float)) and math.isfinite(total):
                by_step.setdefault(int(step), []).append(float(total))
    shared = sorted(step for step, sums in by_step.items() if len(sums) == len(summaries) >= 2)
    if shared:
        divergence, first = 0.0, None
        for step in shared:
            sums = by_step[step]
            scale = max(abs(v) for v in sums) or 1.0
            gap = (max(sums) - min(sums)) / scale
            if gap > 0 and first is None:
                first = step
            divergence = max(divergence, gap)
        obs["ddp.param_divergence"] = divergence
        if first is not None:
            obs["ddp.diverged_from_step"] = first
    finals = [s["last_loss"] for s in summaries if isinstance(s.get("last_loss"), (int, float))]
    if len(finals) >= 2:
        mean = sum(finals) / len(finals)
        obs["ddp.loss_spread"] = (max(finals) - min(finals)) / abs(mean) if mean else 0.0
    return obs
