"""Every wait is bounded (issue 16, point 4): a probe stuck in the user's
forward pass is abandoned after its time limit and reported as timed out,
`loss-advisor probe` still ends with exit 0 and valid JSON, and the TUI
ends on q or Ctrl-C within a few seconds while the user's code hangs."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from loss_advisor.pipeline import runner
from loss_advisor.probing.target import load_target
from loss_advisor.probes import Budget

# A three-class target whose forward blocks after HANG_AFTER calls (touching
# the file HANG_MARK names, so that a test knows), on an Event that the
# in-process tests set at the end (a subprocess just exits).
HANGING = textwrap.dedent('''
    import os
    import threading
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    CALLS = [0]
    HANG_AFTER = int(os.environ.get("HANG_AFTER", "1000000000"))
    RELEASE = threading.Event()


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 3)

        def forward(self, x):
            CALLS[0] += 1
            if CALLS[0] > HANG_AFTER:
                if os.environ.get("HANG_MARK"):
                    open(os.environ["HANG_MARK"], "w").close()
                RELEASE.wait()
            return self.fc(x)


    def target(seed=0):
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(64, 8, generator=g)
        y = torch.randint(0, 3, (64,), generator=g)
        return {"model": Net(), "loss_fn": nn.CrossEntropyLoss(),
                "optimizer": lambda p: torch.optim.SGD(p, lr=0.1),
                "train_data": DataLoader(TensorDataset(x, y), batch_size=16)}
''')
# The first forward pass never returns: whichever probe calls the model first
# is stuck, and the tests read which one from the records.
PROBES = ["init_loss", "gradients", "lr_sweep", "overfit_batch", "short_run"]


def _split(records):
    """(records before the stuck one, the stuck one, records after it)."""
    stuck = [i for i, r in enumerate(records) if r.status == "error"]
    assert len(stuck) == 1, [(r.name, r.status, r.message) for r in records]
    i = stuck[0]
    return records[:i], records[i], records[i + 1:]


@pytest.fixture()
def hanging(tmp_path, monkeypatch):
    path = tmp_path / "hanging.py"
    path.write_text(HANGING)
    monkeypatch.setenv("HANG_AFTER", "0")
    monkeypatch.setenv("HANG_MARK", str(tmp_path / "hanging-now"))
    target = load_target(f"{path}:target")
    module = sys.modules[type(target.model).__module__]
    yield target
    module.RELEASE.set()                # let the abandoned thread finish
    for thread in threading.enumerate():
        if thread.name.startswith("loss-advisor-"):
            thread.join(10)
    runner._ABANDONED.clear()


def test_run_bounded_waits_for_work_that_ends():
    assert runner._run_bounded(lambda: 42, 5.0, lambda: False, "t")[:2] == ("done", 42)
    how, exc, _ = runner._run_bounded(lambda: 1 / 0, 5.0, lambda: False, "t")
    assert how == "raised" and isinstance(exc, ZeroDivisionError)


def test_run_bounded_stops_waiting_at_the_limit_and_on_cancel():
    release = threading.Event()
    started = time.monotonic()
    how, _, thread = runner._run_bounded(release.wait, 0.3, lambda: False, "t")
    assert how == "timeout" and thread.is_alive() and thread.daemon
    assert time.monotonic() - started < 5
    started = time.monotonic()
    how, _, thread2 = runner._run_bounded(release.wait, 60.0, lambda: True, "t")
    assert how == "cancelled"
    assert time.monotonic() - started < runner.CANCEL_GRACE_S + 5
    release.set()
    thread.join(5), thread2.join(5)
    assert not thread.is_alive() and not thread2.is_alive()


def test_budget_hard_limit_leaves_room_above_the_soft_cap():
    assert Budget(10, 6.0).hard_limit() > 6.0
    assert Budget(10, 6.0, limit=2.5).hard_limit() == 2.5


def test_a_stuck_probe_times_out_and_the_run_ends(hanging, monkeypatch):
    monkeypatch.setenv("LOSS_ADVISOR_PROBE_TIMEOUT", "1")
    before = {k: v.clone() for k, v in hanging.model.state_dict().items()}
    seen: list[tuple[int, str]] = []
    started = time.monotonic()
    outcome = runner.run_probes(hanging, probes=PROBES, device="cpu",
                                progress=lambda name, i, n, f, m: seen.append((i, m)))
    took = time.monotonic() - started
    before_it, stuck, after_it = _split(outcome.records)
    assert all(r.status in ("ok", "skipped") for r in before_it)
    assert stuck.message_key == "probes.timed_out"
    assert "timed out after 1 s" in stuck.message
    assert "1秒で時間切れ" in stuck.message_in("ja")
    # the stuck probe is still inside the user's forward: nothing else runs beside it
    assert after_it
    for record in after_it:
        assert record.status == "skipped" and record.message_key == "probes.after_timeout"
        assert f"the {stuck.name} probe" in record.message
    assert took < 30
    # every probe reported its end, in order, without a gap
    assert [i for i, m in seen if m in ("ok", "skipped", "error")] == list(range(len(outcome.records)))
    assert outcome.restored
    after = hanging.model.state_dict()
    assert all((after[k] == v).all() for k, v in before.items())


def test_a_later_run_on_the_stuck_model_waits_for_nothing(hanging, monkeypatch):
    monkeypatch.setenv("LOSS_ADVISOR_PROBE_TIMEOUT", "1")
    first = runner.run_probes(hanging, probes=["init_loss"], device="cpu")
    assert any(r.message_key == "probes.timed_out" for r in first.records)
    started = time.monotonic()
    again = runner.run_probes(hanging, probes=["init_loss", "gradients"], device="cpu")
    assert time.monotonic() - started < 10
    assert again.records and all(r.message_key == "probes.after_timeout" for r in again.records)


def test_cancel_while_stuck_returns_at_once(hanging, tmp_path):
    def cancelled() -> bool:       # asked to stop once the forward pass hangs
        return (tmp_path / "hanging-now").exists()

    started = time.monotonic()
    outcome = runner.run_probes(hanging, probes=PROBES, device="cpu", cancelled=cancelled)
    assert time.monotonic() - started < 25        # every probe's own limit is 34 s or more
    assert outcome.cancelled
    assert outcome.records[-1].message_key == "probes.cancelled"
    assert len(outcome.records) < len(runner.select(PROBES))


# --- the command line and the TUI, in child processes ----------------------------------

def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("LOSS_ADVISOR_PROBE_TIMEOUT", None)
    env.update(extra)
    return env


def test_probe_command_with_a_stuck_forward_exits_0_with_json(tmp_path):
    path = tmp_path / "hanging.py"
    path.write_text(HANGING)
    done = subprocess.run(
        [sys.executable, "-m", "loss_advisor", "probe", f"{path}:target", "--format", "json",
         "--probes", ",".join(PROBES), "--device", "cpu"],
        capture_output=True, text=True, timeout=300,
        env=_env(HANG_AFTER="0", LOSS_ADVISOR_PROBE_TIMEOUT="2"))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    errors = [p for p in data["probes"] if p["status"] == "error"]
    assert len(errors) == 1 and "timed out after 2 s" in errors[0]["message"]
    after = data["probes"][data["probes"].index(errors[0]) + 1:]
    assert after and all(p["status"] == "skipped" for p in after)


def _drive_tui(tmp_path: Path, send, script: bool = False) -> tuple[int | None, float, bytes]:
    """Start `loss-advisor tui --target` in a pseudo-terminal on the hanging
    target, start measuring, wait until the model's forward hangs, call
    send(process, terminal) and return (exit status, seconds to exit, output).
    `script`: watch a training script that hangs instead (`tui --script`)."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    path = tmp_path / "hanging.py"
    path.write_text(HANGING)
    attach = ["--target", f"{path}:target"]
    if script:
        (tmp_path / "train.py").write_text(HANGING_SCRIPT)
        attach = ["--script", str(tmp_path / "train.py")]
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "loss_advisor", "--lang", "en", "tui", *attach],
                            stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                            env=_env(HANG_AFTER="0", HANG_MARK=str(tmp_path / "hanging-now"), TERM="xterm-256color"))
    os.close(slave)
    out = bytearray()

    def read_until(seconds: float, text: bytes | None = None) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if text is not None and text in re.sub(rb"\x1b\[[0-9;?<>]*[a-zA-Z]", b"", bytes(out)):
                return True
            if select.select([master], [], [], 0.05)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    return False
                if not chunk:
                    return False
                out.extend(chunk)
        return False

    try:
        if not script:
            assert read_until(120, b"Measure it"), "the app did not start"
            os.write(master, b"m")
        end = time.monotonic() + 120
        while not (tmp_path / "hanging-now").exists() and time.monotonic() < end:
            read_until(0.1)
        assert (tmp_path / "hanging-now").exists(), "the measurement never called the model"
        read_until(0.5)
        started = time.monotonic()
        send(proc, master)
        while proc.poll() is None and time.monotonic() - started < 20:
            read_until(0.05)
        took = time.monotonic() - started
        read_until(0.3)
        return proc.poll(), took, bytes(out)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


pty_only = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


@pty_only
def test_tui_q_ends_the_session_while_the_forward_hangs(tmp_path):
    code, took, out = _drive_tui(tmp_path, lambda proc, term: os.write(term, b"q"))
    assert code == 0
    assert took < 3, f"q took {took:.1f} s"
    assert b"Traceback" not in out


@pty_only
def test_tui_ctrl_c_key_ends_the_session_with_130(tmp_path):
    code, took, out = _drive_tui(tmp_path, lambda proc, term: os.write(term, b"\x03"))
    assert code == 130
    assert took < 3, f"Ctrl-C took {took:.1f} s"
    assert b"Traceback" not in out


@pty_only
def test_tui_sigint_ends_the_session_with_130(tmp_path):
    code, took, out = _drive_tui(tmp_path, lambda proc, term: proc.send_signal(signal.SIGINT))
    assert code == 130
    assert took < 3, f"SIGINT took {took:.1f} s"
    assert b"Traceback" not in out


# A training script that takes one step and then hangs (the watch waits for
# more steps until its timeout, two minutes by default).
HANGING_SCRIPT = textwrap.dedent('''
    import os
    import threading
    import torch
    from torch import nn

    model = nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = model(torch.randn(8, 4)).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    with open(os.environ["HANG_MARK"], "w") as f:
        f.write(str(os.getpid()))
    threading.Event().wait()
''')


@pty_only
def test_tui_q_stops_a_hanging_watched_script(tmp_path):
    code, took, out = _drive_tui(tmp_path, lambda proc, term: os.write(term, b"q"), script=True)
    assert code == 0
    assert took < 3, f"q took {took:.1f} s"
    assert b"Traceback" not in out
    pid = int((tmp_path / "hanging-now").read_text())
    for _ in range(50):               # the watch stopped the script's process group
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the watched script outlived the session")
