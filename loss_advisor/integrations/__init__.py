"""Where users already train: callbacks for PyTorch Lightning and the Hugging Face Trainer.

    from loss_advisor.integrations.lightning import LossAdvisorCallback      # pip install 'loss-advisor[lightning]'
    from loss_advisor.integrations.huggingface import LossAdvisorCallback    # pip install 'loss-advisor[huggingface]'

Each callback is thin: it drives the watch mode's own recorder
(`loss_advisor.watch.recorder.ScriptRecorder`) from inside the trainer, and at
the end of training (or on demand, `callback.diagnose()`) turns what it saw
into the same diagnosis `loss-advisor watch` gives (`watch/derive.py`, the
engine, the verdict), prints it and writes the Markdown report.

A surface-level package (docs/architecture.md). Importing it, or either of
its modules, imports neither lightning nor transformers, nor torch: the
trainer's library is imported when the callback class is first asked for,
and a missing one is an ImportError that names the extra to install.
"""
from __future__ import annotations

__all__: list[str] = []
