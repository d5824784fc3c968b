"""The child process of `loss-advisor watch`.

    python -m loss_advisor.watch.child --record PATH --steps N --every K
        --timeout SECONDS [--then-probe [--probes a,b]] -- SCRIPT.py [ARGS...]

Runs SCRIPT as `python SCRIPT.py ARGS` would (same `__main__`, `sys.argv`,
working directory and import path), installs the instrumentation the moment
the script imports torch, stops the script after N optimizer steps or at
the wall-clock limit (SIGALRM here, SIGTERM from the parent), and writes
what it saw to the record file. With --then-probe it then runs probes on
the objects it captured.

Torch-free until the script imports torch, so that a script that never
does is told so at once. Not meant to be run by hand.
"""
from __future__ import annotations

import argparse
import importlib.abc
import os
import re
import runpy
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from loss_advisor.watch.protocol import (ENDED, EXITED, INTERNAL, RAISED, RECORD_VERSION, RUNNING, SPAWNED, STEPS, TIMEOUT,
                                         StopWatching,
                       write_record)

# Frames from these folders are not the user's (the tool, torch, the runpy machinery).
_NOT_USER = (str(Path(__file__).resolve().parents[1]), os.path.dirname(runpy.__file__))
# An error that names a device gets the model's device added, so that both are named.
_DEVICE_WORDS = re.compile(r"(?i)\b(cuda|mps|xpu|device)\b")


class TorchImportHook(importlib.abc.MetaPathFinder):
    """Calls `on_import()` right after the first `import torch` finishes."""

    def __init__(self, on_import: Callable[[], None]):
        self.on_import = on_import
        self.fired = False

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "torch" or self.fired:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        original = loader.exec_module
        hook = self

        def exec_module(module: Any) -> None:
            original(module)
            if not hook.fired:
                hook.fired = True
                hook.on_import()

        loader.exec_module = exec_module
        return spec


class Watch:
    """The child's state: the script's fate and, once torch is imported, the recorder."""

    def __init__(self, opts: argparse.Namespace):
        self.opts = opts
        self.record_path = opts.record
        self.status = RUNNING
        self.exit_code: int | None = None
        self.error: str | None = None
        self.error_frames: list[str] = []
        self.error_during_training = False
        self.recorder = None
        self.probes: list[dict[str, Any]] = []
        self.probe_note: str | None = None
        self.internal: str | None = None
        self.started = time.perf_counter()
        self._final: dict[str, Any] | None = None

    # --- torch arrives ----------------------------------------------------------------------
    def on_torch_import(self) -> None:
        try:
            from loss_advisor.watch.recorder import ScriptRecorder

            self.recorder = ScriptRecorder(self.opts.steps, self.opts.every, flush=self.write)
            self.recorder.install()
        except Exception as exc:   # the script must still run; the record says the watch failed
            self.recorder = None
            self.internal = f"installing the instrumentation failed: {type(exc).__name__}: {exc}"
        self.write()     # a child killed from here on is known to have imported torch

    # --- the record ------------------------------------------------------------------------------
    def base(self) -> dict[str, Any]:
        return {
            "version": RECORD_VERSION,
            "script": self.opts.script,
            "argv": list(self.opts.args),
            "status": self.status,
            "exit_code": self.exit_code,
            "error": self.error,
            "error_frames": self.error_frames,
            "error_during_training": self.error_during_training,
            "torch_imported": "torch" in sys.modules,
            "instrumented": self.recorder is not None,
            "internal": self.internal,
            "wall_seconds": round(time.perf_counter() - self.started, 3),
            "probes": self.probes,
            "probe_note": self.probe_note,
        }

    def write(self, final: bool = False) -> None:
        """Rewrite the record; `final` adds the statistics that need the live
        objects (computed once: later writes only add probe records)."""
        record = self.base()
        if self._final is None and final and self.recorder is not None:
            self._final = self.recorder.final()
        if self._final is not None:
            record.update(self._final)
        elif self.recorder is not None:
            record.update(self.recorder.snapshot())
        write_record(self.record_path, record)

    # --- running the script --------------------------------------------------------------------
    def run_script(self) -> None:
        script = self.opts.script
        sys.argv = [script] + list(self.opts.args)
        # `python SCRIPT.py` puts the script's folder first on the import path (not the cwd).
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        self.write()
        try:
            # As `python SCRIPT.py` since 3.9: __file__ is absolute, sys.argv[0] as given.
            runpy.run_path(os.path.abspath(script), run_name="__main__")
            self.status = ENDED
        except StopWatching as stop:
            self.status = stop.reason if stop.reason in (STEPS, SPAWNED) else TIMEOUT
        except SystemExit as exc:
            self.status = EXITED
            code = exc.code
            self.exit_code = code if isinstance(code, int) else (0 if code is None else 1)
        except BaseException as exc:   # the user's error is a finding, not ours to re-raise
            self.status = RAISED
            self.describe_error(exc)
        finally:
            _disarm()

    def describe_error(self, exc: BaseException) -> None:
        from loss_advisor.probing.target import describe_exception

        text = describe_exception(exc)
        rec = self.recorder
        device = rec.model_device() if rec is not None else None
        if device and _DEVICE_WORDS.search(text):
            text += f" (the model's parameters are on {device})"
        self.error = text
        self.error_during_training = bool(rec is not None and rec.training_started)
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_NOT_USER)
                  and "site-packages" not in f.filename and not f.filename.startswith("<frozen")]
        self.error_frames = [f"{Path(f.filename).name}:{f.lineno} in {f.name}: {(f.line or '').strip()}"
                             for f in frames[-3:]]

    # --- after the script ----------------------------------------------------------------------
    def finish(self) -> None:
        rec = self.recorder
        if rec is not None:
            rec.uninstall()
        self.write(final=True)
        if self.opts.then_probe:
            if rec is not None and rec.steps:
                self.then_probe()
            else:
                self.probe_note = "watch.probe_reason.no_steps"
                self.write(final=True)

    def then_probe(self) -> None:
        from loss_advisor.pipeline.runner import run_probes
        from loss_advisor.probing.target import Target, TargetError

        target = self.recorder.probe_target(self.opts.script)
        if not isinstance(target, Target):
            self.probe_note = target
            self.write(final=True)
            return
        probes = [p for p in (self.opts.probes or "").split(",") if p] or None

        def keep(record) -> None:
            self.probes.append(record.state())
            self.write(final=True)

        device = self.recorder.model_device() or "cpu"
        try:
            run_probes(target, probes=probes, device=device.split(":")[0], budget="fast", on_record=keep)
        except (TargetError, ValueError) as exc:
            self.probe_note = str(exc).splitlines()[0]
            self.write(final=True)


def _stop(signum: int, frame: Any) -> None:
    raise StopWatching(TIMEOUT)


def _arm(seconds: float) -> None:
    """The wall-clock limit, inside the child: stop the script cleanly at `seconds`;
    the parent's SIGTERM is the same stop, and its SIGKILL the last resort."""
    signal.signal(signal.SIGTERM, _stop)
    if hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, _stop)
        signal.setitimer(signal.ITIMER_REAL, seconds)


def _disarm() -> None:
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="loss_advisor.watch.child")
    parser.add_argument("--record", required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--every", type=int, required=True)
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("--then-probe", action="store_true")
    parser.add_argument("--probes", default="")
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    opts = parse(sys.argv[1:] if argv is None else argv)
    watch = Watch(opts)
    sys.meta_path.insert(0, TorchImportHook(watch.on_torch_import))
    try:
        _arm(opts.timeout)
        watch.run_script()
        signal.signal(signal.SIGTERM, _stop)    # the parent's SIGTERM still stops the probes
        try:
            watch.finish()
        except StopWatching:
            watch.write(final=False)
    except StopWatching:     # the limit struck between the script and its record
        watch.status = TIMEOUT if watch.status == RUNNING else watch.status
        watch.write()
    except BaseException as exc:   # a failure of the watch itself: say so, in the record
        watch.status, watch.internal = INTERNAL, f"{type(exc).__name__}: {exc}"
        try:
            watch.write()
        except BaseException:
            pass
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        # Threads the script left running (loggers, pin-memory threads)
        # must not keep the child alive once its record is written.
        os._exit(0)


if __name__ == "__main__":
    main()
