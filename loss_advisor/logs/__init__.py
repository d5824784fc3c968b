"""Training logs as evidence: loss curves from CSV, JSONL and TensorBoard.

`log_record(path)` reads a log (streaming it: a million CSV rows are read
and analysed in about 1.7 s of CPU, see docs/logs.md), picks the
training-loss, validation-loss, learning-rate and gradient-norm columns by
name (or as told), runs the one curve analysis
every source shares (`loss_advisor.core.curves.analyse`: `curve.*`
observations) and adds what only a log can tell (`logs.*`). It returns a
ProbeRecord named "logs", which the engine reads like any probe's.

Importing this package imports neither torch nor tensorboard: tensorboard
is imported only to read an event file (ProbeRecord lives in the
torch-free core).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from loss_advisor.core.i18n import t
from loss_advisor.core.observations import declare
from loss_advisor.logs.base import LogData, LogError, Series

__all__ = ["OBSERVATIONS", "LogError", "LogData", "Series", "read_log", "log_record", "detect_format"]

OBSERVATIONS = declare(
    "logs",
    ("rows", "count", "records read from the training log (present only when the curve comes from a log: a whole run)",
     "学習ログから読んだ記録の数(曲線がログ由来、つまり実行全体のときだけ存在する)"),
    ("nonfinite_count", "count", "training-loss values in the log that are NaN or inf",
     "ログ中の訓練lossのうちNaN/infの値の数"),
    ("finite_after_nonfinite", "count", "finite training-loss values logged after the first NaN/inf (training went on)",
     "最初のNaN/infの後に記録された有限の訓練lossの数(学習が続いた)"),
    ("rebound", "fraction", "largest rise of the loss (medians over tenths of the run) above its best level so far, "
     "as a share of the fall that reached that level (1 = back where it started); counted once the loss had halved",
     "loss(実行の1/10ごとの中央値)がそれまでの最良値から再上昇した最大幅(そこまでの減少幅に対する割合、1=開始時に戻った)。"
     "lossが半分になった後のみ数える"),
    ("lr_max", "lr", "highest learning rate in the log", "ログ中の最大学習率"),
    ("lr_min", "lr", "lowest learning rate in the log", "ログ中の最小学習率"),
    ("lr_changes", "count", "abrupt learning-rate changes (scheduler steps: 1.5x or more at once)",
     "学習率の急な変化(スケジューラのステップ: 一度に1.5倍以上)の回数"),
    ("lr_drops", "count", "abrupt learning-rate decreases", "学習率の急な低下の回数"),
    ("lr_rises", "count", "abrupt learning-rate increases (warm restarts, cyclic schedules)",
     "学習率の急な上昇(ウォームリスタート、周期的スケジュール)の回数"),
    ("lr_drop_step", "step", "step of the largest abrupt learning-rate decrease", "最大の学習率低下が起きたステップ"),
    ("lr_drop_factor", "ratio", "learning rate before over after its largest abrupt decrease",
     "最大の学習率低下の前後の比(前 ÷ 後)"),
    ("loss_change_after_lr_drop", "fraction", "share of the loss lost in the window (5% of the run) right after the "
     "largest learning-rate decrease (negative: it rose)",
     "最大の学習率低下の直後の区間(実行の5%)でのlossの減少割合(負=上昇)"),
    ("loss_change_before_lr_drop", "fraction", "share of the loss lost in the same-length window just before it "
     "(the trend the drop is compared with)",
     "その直前の同じ長さの区間でのlossの減少割合(比較の基準となる傾向)"),
    ("drop_before_lr_drop", "fraction", "share of the loss lost between the run's first window (5% of the run) and "
     "the window just before the largest learning-rate decrease (the progress made at the earlier rate)",
     "実行の最初の区間(5%)から最大の学習率低下の直前の区間までに減ったlossの割合(それ以前の学習率で得た進歩)"),
    ("grad_norm_growth", "ratio", "highest smoothed gradient norm over its early level",
     "平滑化した勾配ノルムの最大値 ÷ 初期の水準"),
)

FORMATS = ("csv", "jsonl", "tensorboard")


def detect_format(path: Path) -> str:
    """csv, jsonl or tensorboard, from the path (and a peek at the first byte)."""
    from loss_advisor.logs.tensorboard import is_event_file

    if path.is_dir() or is_event_file(path):
        return "tensorboard"
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    try:
        with open(path, "rb") as f:
            head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise LogError("logs.err_open", path=str(path), reason=exc.strerror or str(exc)) from None
    return "jsonl" if head.startswith(b"{") else "csv"


def _version(path: Path) -> int:
    name = path.parent.name
    return int(name[8:]) if name.startswith("version_") and name[8:].isdigit() else -1


def find_metrics_csv(folder: Path) -> Path | None:
    """The newest metrics.csv anywhere below `folder`, else None.

    Lightning's CSVLogger writes lightning_logs/version_N/metrics.csv, one
    version per run; the run a user asks about is the latest: the most
    recently written file, the higher version on a tie.
    """
    found = [p for p in folder.rglob("metrics.csv") if p.is_file()]
    if not found:
        return None
    return max(found, key=lambda p: (p.stat().st_mtime, _version(p), str(p)))


def read_log(path: str | Path, train_col: str | None = None, val_col: str | None = None,
             lr_col: str | None = None, grad_col: str | None = None, fmt: str | None = None) -> LogData:
    """Read a log into kept columns (no analysis). Raises LogError."""
    path = Path(path)
    if not path.exists():
        raise LogError("logs.err_missing", path=str(path))
    if path.is_dir():
        from loss_advisor.logs.tensorboard import event_files
        if not event_files(path):
            metrics = find_metrics_csv(path)
            if metrics is not None:
                path, fmt = metrics, "csv"
            else:
                raise LogError("logs.err_no_log_in_folder", path=str(path))
    fmt = fmt or detect_format(path)
    if fmt == "tensorboard":
        from loss_advisor.logs.tensorboard import read_tensorboard as reader
    elif fmt == "jsonl":
        from loss_advisor.logs.tabular import read_jsonl as reader
    elif fmt == "csv":
        from loss_advisor.logs.tabular import read_csv as reader
    else:
        raise LogError("logs.err_format", fmt=fmt, formats=", ".join(FORMATS))
    return reader(path, train_col, val_col, lr_col, grad_col)


def analyse_path(path: str | Path, train_col: str | None = None, val_col: str | None = None,
                 lr_col: str | None = None, grad_col: str | None = None, fmt: str | None = None
                 ) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, dict]]]:
    """Read and analyse a log: (observations, details, notes as message keys). Torch-free."""
    from loss_advisor.logs.analysis import analyse_log, select

    data = read_log(path, train_col, val_col, lr_col, grad_col, fmt)
    roles = select(data, train_col, val_col, lr_col, grad_col)
    return analyse_log(data, roles)


def log_record(path: str | Path, train_col: str | None = None, val_col: str | None = None,
               lr_col: str | None = None, grad_col: str | None = None, lang: str = "en",
               fmt: str | None = None):
    """The log as a ProbeRecord named "logs" (observations `curve.*` and
    `logs.*`, details with the curves thinned to about 5,000 points each,
    notes in `lang`). Raises LogError with a one-line reason."""
    from loss_advisor.core.records import ProbeRecord

    started = time.perf_counter()
    observations, details, notes = analyse_path(path, train_col, val_col, lr_col, grad_col, fmt)
    cols = details["columns"]
    lines = [t("logs.note_columns", lang, train=cols["train"], val=cols["val"] or "-", lr=cols["lr"] or "-",
               grad=cols["grad_norm"] or "-", x=t(f"logs.axis_{cols['x_axis']}", lang))]
    lines += [t(key, lang, **values) for key, values in notes]
    return ProbeRecord(name="logs", status="ok", seconds=round(time.perf_counter() - started, 3),
                       steps=int(observations.get("curve.points", 0)),
                       observations=observations, details=details, notes=lines)
