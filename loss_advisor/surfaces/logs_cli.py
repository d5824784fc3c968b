"""`loss-advisor logs PATH`: diagnose a training log with no access to the model.

PATH is a CSV file (generic, or PyTorch Lightning's `metrics.csv`), a JSONL
file, or a TensorBoard event file or folder. Exit 0 when the log was read
(whatever it shows), 2 with one line on stderr when it cannot be.
"""
from __future__ import annotations

import argparse
import logging
import math
import sys
from typing import Any

HELP = "diagnose a training log (CSV, Lightning metrics.csv, JSONL or TensorBoard) without the model"

log = logging.getLogger(__name__)
SPARK = "▁▂▃▄▅▆▇█"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from loss_advisor.surfaces.output import FORMATS

    parser.add_argument("path", help="a CSV or JSONL log file, or a TensorBoard event file or log folder")
    parser.add_argument("--train-col", default=None, help="the training-loss column (default: found by name)")
    parser.add_argument("--val-col", default=None, help="the validation-loss column (default: found by name)")
    parser.add_argument("--lr-col", default=None, help="the learning-rate column (default: found by name)")
    parser.add_argument("--grad-col", default=None, help="the gradient-norm column (default: found by name)")
    parser.add_argument("--log-format", default=None, choices=("csv", "jsonl", "tensorboard"),
                        help="the log's format (default: from the path)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--kb", default=None, help="a knowledge folder to use instead of the built-in one")


def run(args: argparse.Namespace) -> int:
    from loss_advisor.core.errors import UsageError
    from loss_advisor.surfaces.output import EXIT_OK, emit
    from loss_advisor.core.i18n import t
    from loss_advisor.logs import LogError, log_record

    lang = args.lang
    try:
        record = log_record(args.path, train_col=args.train_col, val_col=args.val_col, lr_col=args.lr_col,
                            grad_col=args.grad_col, lang=lang, fmt=args.log_format)
    except LogError as exc:
        raise UsageError(exc.message(lang)) from None
    except MemoryError:
        raise UsageError(t("logs.err_unexpected", lang, path=args.path, error="out of memory")) from None
    except Exception as exc:   # a reader bug must still end in one line, not a traceback
        log.debug("reading %s failed", args.path, exc_info=True)
        raise UsageError(t("logs.err_unexpected", lang, path=args.path,
                           error=f"{type(exc).__name__}: {exc}")) from None

    from loss_advisor.core.engine import Session
    from loss_advisor.core.kb import load_kb
    from loss_advisor.core.result import Result, reproduce_info

    session = Session(load_kb(args.kb), lang)
    session.observe(record.observations, source="logs")
    result = Result(session=session, probes=[record], mode="logs", target=str(args.path),
                    reproduce=reproduce_info(args.argv))
    if args.format == "text":
        sys.stdout.write(summary_text(record, lang) + "\n")
    emit(result, args.format, sys.stdout)
    return EXIT_OK


def _num(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return format(value, ".4g") if isinstance(value, float) else str(value)


def sparkline(values: list[float]) -> str:
    """The curve in one line of block characters, on a log scale when it is positive."""
    vals = [v for v in values if v is not None and math.isfinite(v)]
    if len(vals) < 2:
        return ""
    if min(vals) > 0:
        vals = [math.log(v) for v in vals]
    lo, hi = min(vals), max(vals)
    if hi - lo < 1e-12:
        return SPARK[0] * len(vals)
    return "".join(SPARK[min(len(SPARK) - 1, int((v - lo) / (hi - lo) * len(SPARK)))] for v in vals)


def _one(key: str, count: Any) -> str:
    """The message for exactly one thing ("1 record", not "1 records")."""
    return key + "_one" if count == 1 else key


def summary_text(record, lang: str) -> str:
    """What was read, before the diagnoses (text format only)."""
    from loss_advisor.core.i18n import t

    obs, details = record.observations, record.details
    lines = [t("logs.summary_title", lang)]
    src = details["source"]
    lines.append("  " + t(_one("logs.summary_source", src["rows"]), lang, path=src["path"], format=src["format"],
                          rows=src["rows"]))
    for note in record.notes:
        lines.append("  - " + note)
    lines.append("  " + t(_one("logs.summary_train", obs.get("curve.points")), lang, points=_num(obs.get("curve.points")),
                          start=_num(obs.get("curve.start_loss")), end=_num(obs.get("curve.end_loss", details.get("train_end")))))
    binned = details.get("binned", {}).get("values")
    if binned:
        lines.append(f"  {t('logs.summary_curve', lang)}: {sparkline(binned)}")
    if obs.get("curve.nonfinite_step") is not None:
        lines.append("  " + t("logs.summary_nonfinite", lang, step=_num(obs["curve.nonfinite_step"]),
                              count=_num(obs.get("logs.nonfinite_count"))))
    if obs.get("curve.val_min_at") is not None:
        lines.append("  " + t(_one("logs.summary_val", obs.get("curve.val_points")), lang,
                              points=_num(obs.get("curve.val_points")),
                              at=f"{obs['curve.val_min_at']:.0%}", rise=f"{obs.get('curve.val_rise', 0):.0%}"))
    if obs.get("logs.lr_max") is not None:
        lines.append("  " + t("logs.summary_lr", lang, low=_num(obs.get("logs.lr_min")), high=_num(obs["logs.lr_max"]),
                              changes=_num(obs.get("logs.lr_changes"))))
        for e in details.get("lr", {}).get("events", [])[:5]:
            lines.append("    " + t("logs.summary_lr_event", lang, step=_num(e["step"]), before=_num(e["before"]),
                                    after=_num(e["after"]), loss_before=_num(e.get("loss_before")),
                                    loss_after=_num(e.get("loss_after"))))
    if obs.get("logs.grad_norm_growth") is not None:
        lines.append("  " + t("logs.summary_grad", lang, growth=f"{obs['logs.grad_norm_growth']:.3g}"))
    return "\n".join(lines) + "\n"
