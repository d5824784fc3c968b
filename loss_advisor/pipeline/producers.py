"""Every producer of observations, gathered for `kb check` and the report:
the curve analysis, the probes, the log reader and the watch mode.

It sits in the pipeline because it reads every evidence source; nothing in
the core imports it. It loads no torch.
"""
from __future__ import annotations

from loss_advisor.core import curves
from loss_advisor.core.observations import Observation


def all_declared() -> dict[str, Observation]:
    """Every declared observation, by name. Torch-free: the probes' declarations
    are data (loss_advisor.probes.declared), read without loading the probes."""
    from loss_advisor import logs, watch
    from loss_advisor.probes.declared import DECLARED

    found: dict[str, Observation] = {o.name: o for o in curves.OBSERVATIONS}
    for declared in DECLARED.values():
        for o in declared:
            found.setdefault(o.name, o)
    for module in (logs, watch):
        for o in getattr(module, "OBSERVATIONS", ()):
            found.setdefault(o.name, o)
    return found
