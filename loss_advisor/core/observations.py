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
