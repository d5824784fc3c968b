"""`LossAdvisorCallback` for the Hugging Face `Trainer` (`pip install 'loss-advisor[huggingface]'`).

    from loss_advisor.integrations.huggingface import LossAdvisorCallback

    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=val,
                      callbacks=[LossAdvisorCallback(report="loss-advisor.md")])
    trainer.train()                                   # the diagnosis is printed when training ends

The callback records from `on_train_begin` (the Trainer has built its
optimizer by then; accelerate's wrapper is looked through) to
`on_train_end`, with the watch mode's recorder: evaluation loops (eval mode,
no gradients) are not training, and a loss the model computes itself is
read from its backward(). It then prints the diagnosis and writes the
Markdown report. It never changes training: every hook returns nothing and
leaves `control` alone. `steps=N` diagnoses after N optimizer steps and
lets training go on unrecorded; `diagnose()` does it on demand. Under
several processes every process records and the main one alone prints.

Importing this module does not import transformers: the class is built
when it is first asked for.
"""
from __future__ import annotations

from typing import Any

from loss_advisor.integrations._recording import lazy_class

__all__ = ["LossAdvisorCallback"]
_built: dict[str, type] = {}


def _build() -> type:
    from loss_advisor.integrations._recording import Publishing, RecordedRun, check_format, missing_extra
    from loss_advisor.watch import DEFAULT_EVERY

    try:
        from transformers import TrainerCallback
    except ImportError:
        raise missing_extra("loss_advisor.integrations.huggingface.LossAdvisorCallback", "transformers",
                            "huggingface") from None

    class LossAdvisorCallback(Publishing, TrainerCallback):
        """Diagnose the run this Trainer trains, as `loss-advisor watch` would.

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
            self.report = report
            self.steps = steps
            self.stream = stream
            self._run = RecordedRun("Hugging Face Trainer", every, lang, ("transformers", "accelerate"))
            self.format = check_format(format, self._run.lang)
            self._is_zero = True

        @property
        def result(self) -> Any:
            """The Result (`.to_dict()`, `.to_text()`) once diagnosed, else None."""
            return self._run.result

        def on_train_begin(self, args: Any, state: Any, control: Any, optimizer: Any = None, **kwargs: Any) -> None:
            self._is_zero = bool(getattr(state, "is_world_process_zero", True))
            self._run.start([optimizer] if optimizer is not None else ())

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.steps is not None and self._run.recording and self._run.steps >= self.steps:
                self.diagnose()

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.diagnose()

    LossAdvisorCallback.__module__ = __name__
    return LossAdvisorCallback


__getattr__ = lazy_class(__name__, "LossAdvisorCallback", _build)
