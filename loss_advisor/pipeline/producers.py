"""Every producer of observations, gathered for `kb check` and the report:
the curve analysis, the probes, the log reader and the watch mode.

It sits at the top of the package because it imports every evidence source
(the probes bring torch); nothing in the core imports it.
"""
from __future__ import annotations

from loss_advisor.core import curves
from loss_advisor.core.observations import Observation


def all_declared() -> dict[str, Observation]:
    """Every declared observation, by name (imports the probes, hence torch)."""
    from loss_advisor import logs, watch
    from loss_advisor.probes import ALL_PROBES

    found: dict[str, Observation] = {o.name: o for o in curves.OBSERVATIONS}
    for probe in ALL_PROBES:
        for o in probe.observations:
            found.setdefault(o.name, o)
    for module in (logs, watch):
        for o in getattr(module, "OBSERVATIONS", ()):
            found.setdefault(o.name, o)
    return found
