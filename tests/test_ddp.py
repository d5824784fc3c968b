"""DDP under `torchrun -m loss_advisor watch` on gloo with 2 processes.

Every rank runs its script instrumented; rank 0 alone prints one JSON
object; the exit status is the same on every rank. The ranks' replica
checksums are compared: DDP keeps replicas bit-identical, so a healthy job
shows no divergence at all, while a forward pass that bypasses the wrapper
or a model moved to another dtype after wrapping shows it at once. A
DistributedSampler that never gets set_epoch is seen from the epochs its
sampler starts. A script that starts its own workers with
torch.multiprocessing.spawn ends promptly with a finding that says how to
launch it instead.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ROOT

DDP = ROOT / "examples" / "scripts" / "ddp"
EXPECTED = {
    "bypass_wrapper": "ranks_out_of_sync",
    "dtype_after_wrap": "ranks_out_of_sync",
    "sampler_epoch_not_set": "sampler_epoch_not_set",
}
HEALTHY = ["healthy"]
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]



def torchrun_watch(script: str, steps: int = 40) -> subprocess.CompletedProcess:
    command = TORCHRUN + ["-m", "loss_advisor", "watch", "--format", "json", "--quiet", "--lang", "en",
                          "--steps", str(steps), str(DDP / f"{script}.py")]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})


@pytest.fixture(scope="module")
def watched() -> dict[str, subprocess.CompletedProcess]:
    names = sorted(EXPECTED) + HEALTHY
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(names, pool.map(torchrun_watch, names)))


def one_json_object(proc: subprocess.CompletedProcess) -> dict:
    decoder = json.JSONDecoder()
    text = proc.stdout.strip()
    data, end = decoder.raw_decode(text)
    assert text[end:].strip() == "", "more than one JSON object on stdout"
    return data


@pytest.mark.parametrize("name", sorted(EXPECTED) + HEALTHY)
def test_exactly_one_json_object_and_exit_0_on_every_rank(watched, name):
    proc = watched[name]
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = one_json_object(proc)
    assert data["probes"][0]["name"] == "watch"
    assert data["probes"][0]["findings"]["ddp.ranks_compared"] == 2


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_ddp_fault_is_diagnosed_first(watched, name):
    data = one_json_object(watched[name])
    top = data["diagnoses"][0]
    assert top["cause"] == EXPECTED[name] and top["confidence"] >= 0.5, \
        [(d["cause"], d["confidence"]) for d in data["diagnoses"][:4]]


def test_the_replicas_of_a_healthy_job_agree_bit_for_bit(watched):
    data = one_json_object(watched["healthy"])
    findings = data["probes"][0]["findings"]
    assert findings["ddp.param_divergence"] == 0.0
    assert findings["sampler_epoch_unchanged"] is False
    assert not [d for d in data["diagnoses"] if d["confidence"] >= 0.5 and d["cause"] != "actually_decreasing"]


def test_replicas_that_drift_are_measured_as_drifting(watched):
    for name in ("bypass_wrapper", "dtype_after_wrap"):
        findings = one_json_object(watched[name])["probes"][0]["findings"]
        assert findings["ddp.param_divergence"] > 1e-3, name


def test_a_script_that_spawns_its_workers_ends_promptly_with_how_to_launch_it():
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "loss_advisor", "watch", "--format", "json", "--quiet", "--lang", "en",
                           str(DDP / "spawn_healthy.py")], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert time.monotonic() - start < 60
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    watch = data["probes"][0]
    assert watch["findings"]["stopped"] == "spawned"
    assert any("torchrun --nproc_per_node N -m loss_advisor watch" in note for note in watch.get("notes", []))
    assert data["verdict"]["kind"] == "inconclusive"
    assert any("started its own worker processes" in r for r in data["verdict"]["reasons"])


def test_the_rank_exchange_compares_checksums_and_never_waits_forever(tmp_path):
    from loss_advisor.watch import ranks

    job = ranks.Job(rank=0, world_size=2, local_world_size=2, folder=tmp_path)
    ranks.share(job, {"rank": 0, "code": 0, "param_sums": [[1, 5.0], [10, 6.0]], "last_loss": 1.0})
    start = time.monotonic()
    gathered = ranks.gather(job, timeout=0.5)            # rank 1 never writes
    assert time.monotonic() - start < 5 and len(gathered) == 1
    other = ranks.Job(rank=1, world_size=2, local_world_size=2, folder=tmp_path)
    assert ranks.await_status(other, own=7, timeout=0.3) == 7   # rank 0 never says: its own status
    ranks.announce(job, 2)
    assert ranks.await_status(other, own=0, timeout=1) == 2
    same = ranks.compare([{"param_sums": [[1, 5.0], [10, 6.0]]}, {"param_sums": [[1, 5.0], [10, 6.0]]}], 2)
    assert same["ddp.param_divergence"] == 0.0 and "ddp.diverged_from_step" not in same
    apart = ranks.compare([{"param_sums": [[1, 5.0], [10, 6.0]]}, {"param_sums": [[1, 5.0], [10, 6.6]]}], 2)
    assert apart["ddp.param_divergence"] == pytest.approx(0.6 / 6.6) and apart["ddp.diverged_from_step"] == 10
