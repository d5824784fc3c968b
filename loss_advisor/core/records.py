"""What evidence arrives as: one record per producer (a probe, the watch mode,
the log reader). Torch-free, so that `logs` and `report` never load torch."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from loss_advisor.core.i18n import message_in


@dataclass
class ProbeRecord:
    name: str
    status: str                       # ok, skipped, error
    seconds: float = 0.0
    steps: int = 0
    observations: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    message: str | None = None            # in English
    message_key: str | None = None        # the same message in messages/*.yaml, for other languages
    message_params: dict[str, Any] = field(default_factory=dict)

    def message_in(self, lang: str) -> str | None:
        return message_in(self.message, self.message_key, self.message_params, lang)
