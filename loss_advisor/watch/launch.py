"""The parent side of the watch: check the script, run the child under a
wall-clock limit, read its record, and turn it into probe records.

The child stops the script itself at the limit (it has a clean way to:
StopWatching from a signal handler) and still writes its record; the
parent's own limit, a little later, is for a child that cannot stop
(a script stuck in C code, or one that swallows every exception): SIGTERM,
then SIGKILL to its whole process group (DataLoader workers included).
"""
from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Sequence, TextIO

from loss_advisor.core.i18n import t

from loss_advisor.watch import WatchError
from loss_advisor.watch.derive import watch_probe_record
from loss_advisor.watch.protocol import ENDED, EXITED, INTERNAL, RAISED, RUNNING, SPAWNED, TIMEOUT, read_record

# Seconds the child gets after its own limit to write its record, and after SIGTERM to exit.
GRACE = 15.0
# Extra seconds for --then-probe (the fast probe budgets add up to well under this).
PROBE_ALLOWANCE = 180.0
# Lines of the script's output kept for messages and the record's details.
TAIL_LINES = 20


def check_script(script: str, lang: str) -> Path:
    """The script must exist and compile; both are exit-2 errors, said in one line."""
    path = Path(script)
    if not path.exists():
        raise WatchError(t("watch.error.no_file", lang, path=script))
    if not path.is_file():
        raise WatchError(t("watch.error.not_file", lang, path=script))
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise WatchError(t("watch.error.unreadable", lang, path=script, reason=exc.strerror or exc)) from None
    try:
        compile(source, str(path), "exec")
    except SyntaxError as exc:
        raise WatchError(t("watch.error.syntax", lang, path=script, line=exc.lineno, message=exc.msg)) from None
    except ValueError as exc:    # null bytes
        raise WatchError(t("watch.error.syntax", lang, path=script, line="?", message=str(exc))) from None
    return path


class _Pump(threading.Thread):
    """Copies the script's output to `echo` (if any) and keeps its last lines."""

    def __init__(self, stream: Any, echo: TextIO | None):
        super().__init__(daemon=True)
        self.stream, self.echo = stream, echo
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)

    def run(self) -> None:
        for raw in iter(self.stream.readline, b""):
            line = raw.decode("utf-8", "replace")
            self.tail.append(line.rstrip("\n"))
            if self.echo is not None:
                try:
                    self.echo.write(line)
                    self.echo.flush()
                except (OSError, ValueError):
                    self.echo = None

    def last_line(self) -> str:
        return next((line.strip() for line in reversed(self.tail) if line.strip()), "")


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    """Signal the child's process group (the child and its DataLoader workers)."""
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError, AttributeError):
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass


def run_child(script: Path, args: Sequence[str], record_path: Path, steps: int, every: int, timeout: float,
              then_probe: bool, probes: Sequence[str] | None, echo: TextIO | None) -> tuple[int | None, bool, _Pump]:
    """Run the child; returns (its exit status, whether the parent had to stop it, the output pump)."""
    command = [sys.executable, "-m", "loss_advisor.watch.child", "--record", str(record_path), "--steps", str(steps),
               "--every", str(every), "--timeout", str(timeout)]
    if then_probe:
        command += ["--then-probe", "--probes", ",".join(probes or ())]
    command += [str(script), *args]
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    pump = _Pump(proc.stdout, echo)
    pump.start()
    limit = timeout + GRACE + (PROBE_ALLOWANCE if then_probe else 0.0)
    stopped = False
    try:
        proc.wait(limit)
    except subprocess.TimeoutExpired:
        stopped = True
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(GRACE)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
    except BaseException:        # Ctrl-C in the parent: stop the child, then pass it on
        _signal_group(proc, signal.SIGKILL)
        proc.wait()
        raise
    pump.join(2.0)      # workers that outlive the child may hold the pipe open: do not wait for them
    return proc.returncode, stopped, pump


def watch_record(script: str, args: Sequence[str] = (), steps: int = 100, timeout: float = 120.0,
                 then_probe: bool = False, lang: str = "en", every: int = 10,
                 probes: Sequence[str] | None = None, echo: TextIO | None = None) -> list:
    from loss_advisor.core.records import ProbeRecord

    from loss_advisor.watch import WATCH_PROBES

    if steps < 1:
        raise WatchError(t("watch.error.bad_steps", lang, steps=steps))
    if timeout <= 0:
        raise WatchError(t("watch.error.bad_timeout", lang, timeout=timeout))
    path = check_script(script, lang)
    with tempfile.TemporaryDirectory(prefix="loss-advisor-watch-") as folder:
        record_path = Path(folder) / "record.json"
        code, stopped, pump = run_child(path, list(args), record_path, steps, max(1, every), timeout, then_probe,
                                        probes or WATCH_PROBES, echo)
        record = read_record(record_path)
    if record is None:
        raise WatchError(t("watch.error.no_record", lang, code=code, output=pump.last_line()))
    if stopped and record.get("status") not in (RAISED, ENDED, EXITED):
        record["status"] = TIMEOUT
    elif record.get("status") == RUNNING:     # the child died without a word (a crash in native code)
        record.update(status=RAISED, error=t("watch.error.crashed", lang, code=code),
                      error_during_training=bool(record.get("training_started")))
    name = script
    reject(record, name, timeout, lang, pump.last_line())

    records = [watch_probe_record(record, steps, timeout, lang, list(pump.tail))]
    for item in record.get("probes") or []:
        fields = {k: item.get(k) for k in ProbeRecord.__dataclass_fields__ if k in item}
        records.append(ProbeRecord(**fields))
    return records


def reject(record: dict[str, Any], name: str, timeout: float, lang: str, last_line: str) -> None:
    """Raise WatchError for a run that has nothing to diagnose: never imported
    torch, stopped before training, never called backward(), or the watch failed."""
    status = record.get("status")
    if status == INTERNAL or (record.get("torch_imported") and not record.get("instrumented")):
        raise WatchError(t("watch.error.internal", lang, reason=record.get("internal") or "?"))
    trained = int(record.get("steps") or 0) > 0 or int(record.get("backward_calls") or 0) > 0
    if status == RAISED and record.get("error_during_training"):
        return                     # the error is the finding
    if status == SPAWNED:
        return                     # so is a script that starts its own workers
    if trained:
        return
    frames = record.get("error_frames") or []
    where = f" (at {frames[-1]})" if frames else ""
    if not record.get("torch_imported"):
        if status == RAISED:
            raise WatchError(t("watch.error.raised_early", lang, path=name, error=record.get("error"), where=where))
        if status == TIMEOUT:
            raise WatchError(t("watch.error.timeout_no_torch", lang, path=name, seconds=f"{timeout:g}"))
        raise WatchError(t("watch.error.no_torch", lang, path=name))
    if status == RAISED:
        raise WatchError(t("watch.error.raised_early", lang, path=name, error=record.get("error"), where=where))
    if status == TIMEOUT:
        raise WatchError(t("watch.error.timeout_no_step", lang, path=name, seconds=f"{timeout:g}"))
    if record.get("model_forwards"):
        raise WatchError(t("watch.error.no_backward", lang, path=name, forwards=record["model_forwards"]))
    said = f": {last_line}" if last_line and status == EXITED and record.get("exit_code") else ""
    if status == EXITED:
        raise WatchError(t("watch.error.exited_early", lang, path=name, code=record.get("exit_code"), output=said))
    raise WatchError(t("watch.error.ended_early", lang, path=name))
