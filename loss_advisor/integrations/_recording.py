"""What both callbacks share: a run recorded by the watch's recorder and
diagnosed through the watch's pipeline, printed and written as a report.

The recorder is the one `loss-advisor watch` installs in its child process
(global optimizer-step, backward and forward hooks, DataLoader wrappers);
here it is installed in the training process itself when the trainer starts
its loop, handed the optimizers the trainer already built, and never stops
training (no step limit). At the end it is removed, its record gets the
fields the watch's child adds (`watch/child.py`, Watch.base), and the record
goes through `watch.derive` and the engine exactly as a watched script's does.

Torch-free at import.
"""
from __future__ import annotations

import contextlib
import math
import os
import random
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Iterable, Iterator, TextIO

from loss_advisor.core.i18n import default_lang, t

FORMATS = ("text", "json", "markdown")


def missing_extra(what: str, package: str, extra: str, lang: str | None = None) -> ImportError:
    """The ImportError a callback raises when its trainer's library is absent."""
    return ImportError(t("integrations.error.missing", lang or default_lang(), what=what, package=package,
                         extra=extra))


def check_format(value: str | None, lang: str) -> str | None:
    if value is not None and value not in FORMATS:
        raise ValueError(t("integrations.error.format", lang, value=value))
    return value


def unwrap_optimizer(opt: Any) -> Any:
    """The torch optimizer inside a trainer's wrapper (accelerate's
    AcceleratedOptimizer, Lightning's LightningOptimizer keep it as
    `.optimizer` / `._optimizer`); the object itself when it is one."""
    import torch

    for _ in range(5):
        inner = getattr(opt, "optimizer", None)
        if not isinstance(inner, torch.optim.Optimizer):
            inner = getattr(opt, "_optimizer", None)
        if not isinstance(inner, torch.optim.Optimizer) or inner is opt:
            break
        opt = inner
    return opt if isinstance(opt, torch.optim.Optimizer) else None


@contextlib.contextmanager
def rng_kept() -> Iterator[None]:
    """The statistics computed at the end build small modules of their own
    (which draws from torch's generator): training that goes on afterwards
    must see the random numbers it would have seen without us."""
    import torch

    py_state = random.getstate()
    np_state = None
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        np_state = numpy.random.get_state()
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() and torch.cuda.is_initialized() \
        else []
    try:
        with torch.random.fork_rng(devices=devices):
            yield
    finally:
        random.setstate(py_state)
        if np_state is not None:
            numpy.random.set_state(np_state)


class RecordedRun:
    """One training run recorded for a callback: start() when the trainer's
    loop begins, finish() once, at its end or on demand."""

    def __init__(self, trainer: str, every: int, lang: str | None, libraries: tuple[str, ...] = ()):
        self.trainer = trainer            # "Lightning" / "Hugging Face": named in the notes
        self.libraries = libraries        # whose versions the report's reproduce section lists
        self.every = max(1, int(every))
        self.lang = lang or default_lang()
        self.recorder: Any = None
        self.result: Any = None
        self.started: float | None = None
        self.start_error: str | None = None

    @property
    def recording(self) -> bool:
        return self.recorder is not None and self.result is None

    @property
    def steps(self) -> int:
        return int(self.recorder.steps) if self.recorder is not None else 0

    def start(self, optimizers: Iterable[Any] = ()) -> None:
        """Install the recorder and hand it the optimizers already built: each
        training run (each fit() or train() the callback takes part in) is
        recorded afresh. A failure to install leaves training alone and is
        said at the end."""
        from loss_advisor.watch.recorder import ScriptRecorder

        if self.recording:      # a run that ended without a word (an error the trainer has no hook for)
            self.recorder.uninstall()
        self.recorder = self.result = None
        self.start_error = None

        recorder = ScriptRecorder(steps_limit=math.inf, every=self.every, flush=lambda: None)
        try:
            recorder.install()
        except Exception as exc:
            self.start_error = f"{type(exc).__name__}: {exc}"
            return
        for opt in optimizers:
            inner = unwrap_optimizer(opt)
            if inner is not None:
                recorder.add_optimizer(inner)
        self.recorder, self.started = recorder, time.perf_counter()

    def finish(self, error: BaseException | None = None) -> Any:
        """Remove the recorder and diagnose what it saw (once; later calls
        return the same Result). None when nothing was recorded."""
        if self.result is not None or self.recorder is None:
            return self.result
        from loss_advisor.probing.target import describe_exception
        from loss_advisor.surfaces.watch_cli import build_result
        from loss_advisor.watch.derive import watch_probe_record
        from loss_advisor.watch.protocol import ENDED, RAISED, RECORD_VERSION

        recorder = self.recorder
        recorder.uninstall()
        with rng_kept():
            record = recorder.final()
        script = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else self.trainer
        text = describe_exception(error) if error is not None else None
        record.update(version=RECORD_VERSION, script=script, argv=list(sys.argv[1:]),
                      status=RAISED if error is not None else ENDED, exit_code=None, error=text, error_frames=[],
                      error_during_training=error is not None and bool(recorder.training_started),
                      torch_imported=True, instrumented=True, internal=self.start_error,
                      wall_seconds=round(time.perf_counter() - (self.started or time.perf_counter()), 3),
                      probes=[], probe_note=None)
        watch = watch_probe_record(record, recorder.steps, math.inf, self.lang)
        # The first note says how the watch stopped the script; here no script was stopped.
        if error is not None:
            first = t("integrations.note.raised", self.lang, steps=recorder.steps, error=text)
        elif recorder.steps:
            first = t("integrations.note.recorded", self.lang, steps=recorder.steps, trainer=self.trainer)
        else:
            first = t("integrations.note.not_started", self.lang, trainer=self.trainer)
        watch.notes[:1] = [first]
        result = build_result([watch], self.lang, script, None)
        result.mode = "callback"          # the report says how the evidence was made
        if sys.argv and str(sys.argv[0]).endswith(".py"):
            result.reproduce["command"] = "python " + " ".join(shlex.quote(str(a)) for a in sys.argv)
        versions = result.reproduce.setdefault("versions", {})
        for name in self.libraries:
            module = sys.modules.get(name)
            if module is not None and getattr(module, "__version__", None):
                versions[name] = module.__version__
        self.result = result
        return self.result

    def abandon(self) -> None:
        """Remove the recorder without a diagnosis (the trainer is going away)."""
        if self.recorder is not None and self.result is None:
            self.recorder.uninstall()


def publish(result: Any, fmt: str | None, report: str | os.PathLike[str] | None, stream: TextIO | None,
            lang: str) -> None:
    """Write the Markdown report where the user asked, and print the diagnosis."""
    from loss_advisor.surfaces.output import emit

    out = stream if stream is not None else sys.stdout
    if report is not None:
        from loss_advisor.surfaces.report import render_markdown

        path = Path(report)
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_markdown(result, report_path=path), encoding="utf-8")
    if fmt is not None:
        emit(result, fmt, out)
        if report is not None and fmt == "text":
            print(t("integrations.report_written", lang, path=str(report)), file=out)
        out.flush()


class Publishing:
    """What both trainers' callbacks share: one diagnosis, printed and written
    once. The callback keeps its RecordedRun in `_run` and its output choices
    in `format`, `report`, `stream`; `_is_zero` is False on all but the first
    process of a distributed run."""

    def diagnose(self, error: BaseException | None = None) -> Any:
        """Stop recording, print the diagnosis and write the report (once);
        returns the Result, or None when nothing was recorded."""
        done = self._run.result is not None
        result = self._run.finish(error)
        if result is not None and not done and self._is_zero:
            publish(result, self.format, self.report, self.stream, self._run.lang)
        return result


def lazy_class(module: str, name: str, build: Any) -> Any:
    """A module's __getattr__ that builds `name` on first use: the trainer's
    package is imported only when the callback is, so `import loss_advisor`
    never needs the optional extra. The class is kept in the module's
    `_built` (read each time, so that a test can empty it)."""
    def __getattr__(attr: str) -> Any:
        if attr == name:
            built = vars(sys.modules[module]).setdefault("_built", {})
            if attr not in built:
                built[attr] = build()
            return built[attr]
        raise AttributeError(f"module {module!r} has no attribute {attr!r}")
    return __getattr__
