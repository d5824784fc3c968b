"""`LossAdvisorCallback` for PyTorch Lightning (`pip install 'loss-advisor[lightning]'`).

    from loss_advisor.integrations.lightning import LossAdvisorCallback

    trainer = L.Trainer(max_epochs=5, callbacks=[LossAdvisorCallback(report="loss-advisor.md")])
    trainer.fit(model, train_loader, val_loader)     # the diagnosis is printed when training ends

The callback records from `on_train_start` (after the sanity check, once
the trainer has built its optimizers) to `on_train_end`, with the watch
mode's recorder: the forward and backward Lightning runs inside
`optimizer.step(closure)` belong to that step, and validation (eval mode,
no gradients) is not training. It then prints the diagnosis and writes the
Markdown report. `steps=N` diagnoses after N optimizer steps and lets
training go on unrecorded; `diagnose()` does it on demand. Under several
processes every rank records and the global rank 0 alone prints and writes.

Works with the `lightning` package and with the older `pytorch_lightning`
one; when both are installed the callback is an instance of both
Callback classes, so either Trainer takes it. Importing this module
imports neither: the class is built when it is first asked for.
"""
from __future__ import annotations

from typing import Any

from loss_advisor.integrations._recording import lazy_class

__all__ = ["LossAdvisorCallback"]
_built: dict[str, type] = {}


def _callback_bases() -> tuple[type, ...]:
    bases = []
    try:
        from lightning.pytorch import Callback
        bases.append(Callback)
    except ImportError:
        pass
    try:
        from pytorch_lightning import Callback as LegacyCallback
        if all(LegacyCallback is not b for b in bases):
            bases.append(LegacyCallback)
    except ImportError:
        pass
    if not bases:
        from loss_advisor.integrations._recording import missing_extra

        raise missing_extra("loss_advisor.integrations.lightning.LossAdvisorCallback", "lightning", "lightning")
    return tuple(bases)


def _build() -> type:
    from loss_advisor.integrations._recording import Publishing, RecordedRun, check_format
    from loss_advisor.watch import DEFAULT_EVERY

    class LossAdvisorCallback(Publishing, *_callback_bases()):
        """Diagnose the training run this Trainer fits, as `loss-advisor watch` would.

        Arguments (all optional):
          report: a path for the Markdown report (written at the end; none when None).
          format: how the diagnosis is printed: "text" (default), "json",
              "markdown", or None to print nothing (the result stays in `.result`).
          lang: "en" or "ja" (default: LOSS_ADVISOR_LANG, then the locale).
          steps: diagnose after this many optimizer steps instead of at the end
              of training (training goes on; recording stops).
          every: per-layer gradient and update statistics every K-th step.
          stream: where to print (default: standard output).
        """

        def __init__(self, report: Any = None, format: str | None = "text", lang: str | None = None,
                     steps: int | None = None, every: int = DEFAULT_EVERY, stream: Any = None):
            super().__init__()
            self.report = report
            self.steps = steps
            self.stream = stream
            self._run = RecordedRun("Lightning", every, lang, ("lightning", "pytorch_lightning"))
            self.format = check_format(format, self._run.lang)
            self._is_zero = True

        @property
        def result(self) -> Any:
            """The Result (`.to_dict()`, `.to_text()`) once diagnosed, else None."""
            return self._run.result

        def on_train_start(self, trainer: Any, pl_module: Any) -> None:
            self._is_zero = bool(getattr(trainer, "is_global_zero", True))
            self._run.start(getattr(trainer, "optimizers", None) or ())

        def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
            if self.steps is not None and self._run.recording and self._run.steps >= self.steps:
                self.diagnose()

        def on_train_end(self, trainer: Any, pl_module: Any) -> None:
            self.diagnose()

        def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
            if isinstance(exception, KeyboardInterrupt):
                self._run.abandon()
                return
            self.diagnose(exception)

        def teardown(self, trainer: Any, pl_module: Any, stage: str) -> None:
            self._run.abandon()      # whatever happened, no hook outlives the fit

    LossAdvisorCallback.__module__ = __name__
    return LossAdvisorCallback


__getattr__ = lazy_class(__name__, "LossAdvisorCallback", _build)
