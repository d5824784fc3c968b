"""Observation declarations: the names the knowledge base's questions read.

A producer (a probe, the curve analysis, the log reader, the watch mode)
declares each observation it can produce with a unit and a bilingual
meaning. `loss-advisor kb check` verifies that every observation the
knowledge base reads is declared by some producer. Torch-free.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Observation:
    """One measured quantity: `name` is `producer.key`."""
    name: str
    unit: str
    meaning: Mapping[str, str]       # {"en": ..., "ja": ...}


def declare(producer: str, *rows: tuple[str, str, str, str]) -> tuple[Observation, ...]:
    """Observations from (key, unit, english meaning, japanese meaning) rows."""
    return tuple(Observation(f"{producer}.{key}", unit, {"en": en, "ja": ja}) for key, unit, en, ja in rows)


def all_declared() -> dict[str, Observation]:
    """Every declared observation, by name (imports the probes, hence torch)."""
    from . import curves
    from loss_advisor.probes import ALL_PROBES

    found: dict[str, Observation] = {o.name: o for o in curves.OBSERVATIONS}
    for probe in ALL_PROBES:
        for o in probe.observations:
            found.setdefault(o.name, o)
    for extra in _extra_producers():
        for o in extra:
            found.setdefault(o.name, o)
    return found


def _extra_producers() -> list[tuple[Observation, ...]]:
    """Producers outside the probe suite (log reading, watch mode), when installed."""
    out = []
    for module_name in ("loss_advisor.logs", "loss_advisor.watch"):
        try:
            module = __import__(module_name, fromlist=["OBSERVATIONS"])
        except ImportError:
            continue
        declared = getattr(module, "OBSERVATIONS", None)
        if declared:
            out.append(tuple(declared))
    return out
