"""What evidence arrives as: one record per producer (a probe, the watch mode,
the log reader), with typed artifacts, and the one converter to and from the
JSON of CONTRACT.md section 4. Torch-free, so that `logs` and `report` never
load torch.

A record's `details` hold what a producer keeps besides its observations:
plain JSON values (scalars, small mappings) and typed artifacts:

- `Curve`: values over a shared x (training steps, learning rates). Every
  producer writes a loss curve the same way: a Curve under `train` (and
  `val`) with the series `losses` over `steps`.
- `LayerTable`: one row per layer (the gradient probe's `layers`).

On the wire a Curve is the mapping ``{x_label: [...], series: [...], ...}``
(``{"steps": [...], "losses": [...]}``); the LR sweep's curve is written
inline at the top of its findings (``lrs``, ``losses``, ``smoothed``), the
layout the JSON has always had. `parse_details` reads both back; nothing
else in the package guesses what a finding holds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from loss_advisor.core.i18n import message_in

STATUSES = ("ok", "skipped", "error")
# The x of a curve on the wire: training steps, or learning rates (the LR sweep).
X_KEYS = ("steps", "lrs")
# The LR sweep's curve sits inline in its findings: its x and these series.
INLINE_X = "lrs"
INLINE_SERIES = ("losses", "smoothed")
INLINE_KEY = "sweep"          # where it lives in `details`
INLINE_MARKS = ("user_lr", "suggested_lr", "divergence_lr", "min_loss_lr")   # its marks, findings beside it
TABLE_KEYS = ("layers",)      # details that are per-layer tables
# Curves that JSON written before these records held as bare lists of losses.
LIST_CURVES = ("user_curve", "reference_curve")


def _number(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _numbers(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(_number(v) for v in value)


Marks = dict      # name -> x position worth marking on a curve (the user's LR, the suggested one)


@dataclass
class Curve:
    """Series of numbers over one shared x."""
    x: list[float]
    series: dict[str, list[float | None]]
    x_label: str = "steps"                 # the x's name on the wire: steps or lrs
    marks: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)   # kept beside the curve (the LR log's events)
    inline: bool = False                   # written at the top of the findings (the LR sweep)

    def __post_init__(self) -> None:
        self.x = list(self.x)
        self.series = {str(k): list(v) for k, v in self.series.items()}

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.x_label: list(self.x)}
        out.update({k: list(v) for k, v in self.series.items()})
        if self.marks:
            out["marks"] = dict(self.marks)
        out.update(self.extra)
        return out

    @classmethod
    def from_json(cls, value: Any) -> "Curve | None":
        """A curve from its mapping on the wire, or None when `value` is none:
        a list of numbers under `steps` (or `lrs`), and the lists of numbers of
        the same length beside it as its series."""
        if not isinstance(value, Mapping):
            return None
        x_label = next((k for k in X_KEYS if k in value and _numbers(value[k]) and value[k]), None)
        if x_label is None:
            return None
        n = len(value[x_label])
        series, extra, marks = {}, {}, {}
        for key, v in value.items():
            if key == x_label:
                continue
            if key == "marks" and isinstance(v, Mapping) and all(_number(m) for m in v.values()):
                marks = {str(k): m for k, m in v.items()}
            elif _numbers(v) and len(v) == n:
                series[str(key)] = list(v)
            else:
                extra[str(key)] = v
        return cls(list(value[x_label]), series, x_label, marks, extra)

    # Read as its wire mapping (``curve["steps"]``, ``curve["losses"]``).
    def __getitem__(self, key: str) -> Any:
        return self.to_json()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_json().get(key, default)

    def finite(self, name: str) -> tuple[list[float], list[float]]:
        """The (x, y) points of one series where both are finite numbers."""
        xs, ys = [], []
        for x, y in zip(self.x, self.series.get(name) or []):
            if _number(x) and _number(y) and x is not None and y is not None and math.isfinite(x) and math.isfinite(y):
                xs.append(float(x))
                ys.append(float(y))
        return xs, ys


@dataclass
class LayerTable:
    """One row per layer: `layer`, `type` and the measured columns."""
    rows: list[dict[str, Any]]

    def to_json(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows]

    @classmethod
    def from_json(cls, value: Any) -> "LayerTable | None":
        if isinstance(value, list) and value and all(isinstance(r, Mapping) for r in value):
            return cls([dict(r) for r in value])
        return None

    def columns(self) -> list[str]:
        out: list[str] = []
        for row in self.rows:
            out += [k for k in row if k not in out]
        return out

    def column(self, name: str) -> list[Any]:
        return [row.get(name) for row in self.rows]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.rows[index]


Artifact = (Curve, LayerTable)


def parse_details(findings: Mapping[str, Any]) -> dict[str, Any]:
    """Details with their artifacts typed, from JSON (or from a producer that
    wrote plain mappings): the one reader of what findings hold."""
    out: dict[str, Any] = {}
    xs = findings.get(INLINE_X)
    inline = bool(xs) and _numbers(xs) and INLINE_KEY not in findings
    inline_series = [s for s in INLINE_SERIES if inline and _numbers(findings.get(s)) and len(findings[s]) == len(xs)]
    for key, value in findings.items():
        if isinstance(value, Artifact):
            out[key] = value
        elif inline and key == INLINE_X:
            marks = {m: findings[m] for m in INLINE_MARKS if _number(findings.get(m)) and findings.get(m) is not None}
            out[INLINE_KEY] = Curve(list(xs), {s: list(findings[s]) for s in inline_series}, INLINE_X, marks, inline=True)
        elif key in inline_series:
            continue
        elif key in LIST_CURVES and _numbers(value) and value:
            out[key] = Curve(range(len(value)), {"losses": list(value)})
        elif key in TABLE_KEYS and LayerTable.from_json(value) is not None:
            out[key] = LayerTable.from_json(value)
        else:
            out[key] = Curve.from_json(value) or value
    return out


def details_json(details: Mapping[str, Any]) -> dict[str, Any]:
    """Details as they go on the wire (artifacts as their mappings)."""
    out: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, Curve) and value.inline:   # its marks are findings of their own
            out.update({k: v for k, v in value.to_json().items() if k != "marks"})
        elif isinstance(value, Artifact):
            out[key] = value.to_json()
        else:
            out[key] = value
    return out


def json_safe(value: Any) -> Any:
    """Recursively make a value JSON-serialisable: no NaN/inf, no tuples, no tensors."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, Artifact):
        return json_safe(value.to_json())
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return json_safe(item())
        except (ValueError, RuntimeError):
            pass
    return str(value)


@dataclass
class ProbeRecord:
    """What one producer measured: status, observations, details (with typed
    artifacts), notes and a message in the catalogue's words."""
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

    def __post_init__(self) -> None:
        self.details = parse_details(self.details)

    def message_in(self, lang: str) -> str | None:
        return message_in(self.message, self.message_key, self.message_params, lang)

    # --- typed reads ------------------------------------------------------------
    def curves(self) -> dict[str, Curve]:
        return {k: v for k, v in self.details.items() if isinstance(v, Curve)}

    def table(self, key: str = "layers") -> LayerTable | None:
        value = self.details.get(key)
        return value if isinstance(value, LayerTable) else None

    @property
    def findings(self) -> dict[str, Any]:
        """Observations (without the producer's prefix) and details, as on the wire."""
        out = {name.split(".", 1)[1] if name.startswith(self.name + ".") else name: value
               for name, value in self.observations.items()}
        out.update(details_json(self.details))
        return out

    # --- the one converter --------------------------------------------------------
    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "status": self.status, "seconds": self.seconds,
                               "steps": self.steps, "findings": json_safe(self.findings)}
        if self.message:
            out["message"] = self.message_in(lang)
        if self.message_key:
            out["message_key"] = self.message_key
            out["message_params"] = json_safe(self.message_params)
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def state(self) -> dict[str, Any]:
        """Every field, JSON-safe, details as on the wire: how a record crosses
        from the watched process to its parent, which rebuilds it with
        ``ProbeRecord(**state)`` (observations keep their full names)."""
        return json_safe({**vars(self), "details": details_json(self.details)})

    @classmethod
    def from_dict(cls, item: Any, where: str = "probe") -> "ProbeRecord":
        """A record from `to_dict()`'s JSON; a wrong shape is a RecordShapeError
        naming `where`. The findings come back as details (typed where they
        are artifacts); the observations they came from are in the session."""
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) \
                or item.get("status") not in STATUSES:
            raise RecordShapeError(f"{where} needs a 'name' and a 'status' of ok, skipped or error")
        findings = item.get("findings") or {}
        notes = item.get("notes") or []
        if not isinstance(findings, Mapping) or not isinstance(notes, list):
            raise RecordShapeError(f"{where}: 'findings' must be an object and 'notes' a list")
        try:
            seconds, steps = float(item.get("seconds") or 0.0), int(item.get("steps") or 0)
        except (TypeError, ValueError):
            raise RecordShapeError(f"{where}: 'seconds' and 'steps' must be numbers") from None
        message = item.get("message")
        key, params = item.get("message_key"), item.get("message_params") or {}
        return cls(item["name"], item["status"], seconds, steps, details=dict(findings),
                   notes=[str(n) for n in notes], message=None if message is None else str(message),
                   message_key=key if isinstance(key, str) else None,
                   message_params=dict(params) if isinstance(params, Mapping) else {})


class RecordShapeError(ValueError):
    """JSON that is not a probe record (one line)."""
