"""loss-advisor: why won't my loss go down?

An expert system over a bilingual knowledge base, with probes that run
short experiments on your own model, loss, optimizer and data.

    >>> import loss_advisor
    >>> result = loss_advisor.diagnose(model=model, loss_fn=loss_fn,
    ...                                optimizer=lambda p: torch.optim.Adam(p, lr=1e-3),
    ...                                train_data=loader)
    >>> result                      # renders as Markdown in a notebook
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["diagnose", "__version__"]


def diagnose(model, loss_fn, optimizer, train_data, val_data=None, task=None, train_step=None,
             split_batch=None, *, probes=None, device="auto", budget="fast", lang="en", seed=0):
    """Probe a set-up and return a Result (same content as `probe --format json`).

    `optimizer` is a factory, ``optimizer(params) -> torch.optim.Optimizer``.
    Raises loss_advisor.probing.target.TargetError when the set-up cannot be probed.
    """
    from loss_advisor.pipeline.api import diagnose_target
    from loss_advisor.probing.target import from_object

    target = from_object({"model": model, "loss_fn": loss_fn, "optimizer": optimizer, "train_data": train_data,
                          "val_data": val_data, "task": task, "train_step": train_step,
                          "split_batch": split_batch}, "diagnose()")
    from .surfaces.report import NotebookResult

    result = diagnose_target(target, probes=probes, device=device, budget=budget, lang=lang, seed=seed)
    return NotebookResult.of(result)
