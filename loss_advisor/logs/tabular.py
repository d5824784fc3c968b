"""CSV and JSONL logs, read row by row with the standard library.

CSV: a header row, then one row per record. Sparse rows (PyTorch
Lightning's `CSVLogger` writes training and validation metrics on separate
rows of one `metrics.csv`) are fine: an empty cell is simply no value.
JSONL: one JSON object per line (nested objects are flattened with `/`).
Only the columns that matter are kept, in float arrays, so a million-row
log stays small in memory. Torch-free.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any, Iterator

from loss_advisor.logs import columns as C
from loss_advisor.logs.base import LogData, LogError, Series

# A value logged as `str(loss)` of a tensor: tensor(0.6931, grad_fn=...).
_TENSOR = re.compile(r"^\s*tensor\(\s*([-+0-9.eEinfatyINFATY]+)")
# How much of an offending cell an error line quotes.
QUOTE = 40


def _number(text: str) -> float:
    """A cell as a float: plain numbers, nan/inf, and `tensor(...)` text."""
    try:
        return float(text)
    except ValueError:
        m = _TENSOR.match(text)
        if m:
            return float(m.group(1))
        raise


def _open_text(path: Path):
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise LogError("logs.err_open", path=str(path), reason=exc.strerror or str(exc)) from None


# --- CSV ---------------------------------------------------------------------------

def _delimiter(header_line: str, path: Path) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    if "," not in header_line:
        for d in ("\t", ";"):
            if d in header_line:
                return d
    return ","


def read_csv(path: Path, train_col=None, val_col=None, lr_col=None, grad_col=None) -> LogData:
    with _open_text(path) as f:
        try:
            first = f.readline()
            skipped = 1
            while first and not first.strip():
                first = f.readline()
                skipped += 1
            if not first:
                raise LogError("logs.err_empty", path=str(path))
            delimiter = _delimiter(first, path)
            header = next(csv.reader([first], delimiter=delimiter))
            header = [h.strip() for h in header]
            if all(_is_number(h) for h in header if h):
                raise LogError("logs.err_no_header", path=str(path))
            data = LogData("csv", str(path), header, {})
            step_name, epoch_name = C.step_column(header), C.epoch_column(header)
            index = {name: i for i, name in reversed(list(enumerate(header)))}
            step_i = index[step_name] if step_name else None
            epoch_i = index[epoch_name] if epoch_name else None
            data.x_axis = "step" if step_i is not None else ("epoch" if epoch_i is not None else "row")
            x_i = step_i if step_i is not None else epoch_i
            explicit = {C.normalise(n) for n in (train_col, val_col, lr_col, grad_col) if n}
            kept = []
            for i, name in enumerate(header):
                if i in (step_i, epoch_i) or name in data.series or not name:
                    continue
                if C.interesting(name) or C.normalise(name) in explicit:
                    data.series[name] = Series()
                    kept.append((i, name, data.series[name]))
            _csv_rows(f, delimiter, header, kept, x_i, data, path, skipped)
        except UnicodeDecodeError:
            raise LogError("logs.err_not_text", path=str(path)) from None
    return data


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _csv_rows(f, delimiter: str, header: list[str], kept, x_i, data: LogData, path: Path, offset: int) -> None:
    """The rows after the header, one at a time; `offset`: lines read before
    them (for line numbers). Blanks, short rows, repeated headers and
    missing steps (the last step carries on) are handled; text is an error
    in the step column and remembered per column otherwise (an error later
    if that column is used). Reading a column of a 50,000-row chunk at once
    with map(float) was measured no faster: csv's own parsing dominates."""
    reader = csv.reader(f, delimiter=delimiter)
    width = len(header)
    # Bind appends once: the loop below runs once per row of a million-row file.
    cells = [(i, s.steps.append, s.values.append) for i, _, s in kept]
    row_no = repeated = 0
    x = 0.0
    try:
        for row in reader:
            if not row:
                continue
            if len(row) < width:
                row = row + [""] * (width - len(row))
            if x_i is not None:
                cell = row[x_i]
                if cell:
                    try:
                        x = float(cell)
                    except ValueError:
                        if [c.strip() for c in row[:width]] == header:
                            repeated += 1        # a second header from appended logs
                            continue
                        raise LogError("logs.err_text_in_column", path=str(path), line=reader.line_num + offset,
                                       column=header[x_i], value=cell[:QUOTE]) from None
            else:
                x = float(row_no)
            try:
                for i, add_x, add_v in cells:
                    cell = row[i]
                    if cell:
                        v = float(cell)
                        add_x(x)
                        add_v(v)
            except ValueError:
                if [c.strip() for c in row[:width]] == header:
                    repeated += 1
                    continue
                _slow_row(row, kept, x, reader.line_num + offset, data)
            row_no += 1
    except csv.Error as exc:
        raise LogError("logs.err_csv", path=str(path), line=reader.line_num + offset, reason=str(exc)) from None
    data.rows = row_no
    if repeated:
        data.note("logs.note_repeated_header", count=repeated)


def _slow_row(row: list[str], kept, x: float, line: int, data: LogData) -> None:
    """A row the fast path could not read: undo its partial appends, then read
    each cell with the lenient parser, remembering the first cell per column
    that is not a number (an error later, if that column is the one used)."""
    # Undo whatever the fast path appended for this row before it failed.
    appended = []
    for i, name, s in kept:
        cell = row[i]
        if not cell:
            continue
        try:
            float(cell)
            appended.append(s)
        except ValueError:
            break
    for s in appended:
        s.steps.pop()
        s.values.pop()
    for i, name, s in kept:
        cell = row[i].strip()
        if not cell:
            continue
        try:
            v = _number(cell)
        except ValueError:
            data.bad_values.setdefault(name, (line, cell[:QUOTE]))   # an error if this column is used
            continue
        s.add(x, v)


# --- JSONL -------------------------------------------------------------------------

def _flatten(record: dict, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, name + "/")
        else:
            yield name, value


def _json_lines(path: Path, state: dict) -> Iterator[tuple[int, Any]]:
    """(line number, parsed record) per non-blank line. A line that is not
    JSON is an error unless it is the last one (a run killed mid-write):
    then it is skipped and remembered in state["broken"]."""
    broken = None
    with _open_text(path) as f:
        try:
            for line_no, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                if broken is not None:          # a bad line with more after it: not a cut-off tail
                    raise LogError("logs.err_json_line", path=str(path), line=broken[0], reason=broken[1])
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    broken = (line_no, exc.msg)
                    continue
                yield line_no, record
        except UnicodeDecodeError:
            raise LogError("logs.err_not_text", path=str(path)) from None
    state["broken"] = broken


def _json_document(path: Path) -> list[Any] | None:
    """The records of a whole-file JSON log: a list of records, or an object
    holding one (Hugging Face's trainer_state.json keeps them in
    `log_history`). None when the file is not one JSON document."""
    try:
        with _open_text(path) as f:
            doc = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for key in ("log_history", "history", "records", "logs", "metrics"):
            if isinstance(doc.get(key), list):
                return doc[key]
    return None


def read_jsonl(path: Path, train_col=None, val_col=None, lr_col=None, grad_col=None) -> LogData:
    data = LogData("jsonl", str(path), [], {})
    explicit = {n for n in (train_col, val_col, lr_col, grad_col) if n}
    explicit_norm = {C.normalise(n) for n in explicit}
    # name -> Series to keep it in, or None to ignore it; decided once per name.
    keep: dict[str, Series | None] = {}
    kinds: dict[str, str] = {}            # name -> "step" / "epoch" for the x axis
    bad: dict[str, tuple[int, str]] = {}  # first value that is not a number, per kept name
    seen_step = seen_epoch = False
    rows = 0
    state: dict[str, Any] = {}
    records: Iterator[tuple[int, Any]] = _json_lines(path, state)
    if path.suffix.lower() == ".json":
        document = _json_document(path)      # one JSON document, not one record per line
        if document is not None:
            records = enumerate(document, start=1)
    for line_no, record in records:
        if not isinstance(record, dict):
            raise LogError("logs.err_json_object", path=str(path), line=line_no)
        items = list(_flatten(record)) if any(isinstance(v, dict) for v in record.values()) else record.items()
        step = epoch = None
        values = []
        for name, value in items:
            series = keep.get(name, False)
            if series is False:
                norm = C.normalise(name)
                data.columns.append(name)
                if C.is_step(norm):
                    kinds[name] = "step"
                elif C.is_epoch(norm):
                    kinds[name] = "epoch"
                wanted = name in explicit or norm in explicit_norm or C.interesting(name)
                series = keep[name] = Series() if wanted else None
            if series is None or value is None:
                continue
            kind = kinds.get(name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                original = value
                try:
                    value = _number(value) if isinstance(value, str) else None
                except ValueError:
                    value = None
                if value is None:
                    bad.setdefault(name, (line_no, str(original)[:QUOTE]))
                    continue
            if kind == "step" and step is None:
                step = float(value)
            elif kind == "epoch" and epoch is None:
                epoch = float(value)
            values.append((series, float(value)))
        seen_step |= step is not None
        seen_epoch |= epoch is not None
        x = step if step is not None else (epoch if epoch is not None else float(rows))
        for series, value in values:
            series.add(x, value)
        rows += 1
    broken = state.get("broken")
    if rows == 0:
        if broken is not None:
            raise LogError("logs.err_json_line", path=str(path), line=broken[0], reason=broken[1])
        raise LogError("logs.err_empty", path=str(path))
    if broken is not None:
        data.note("logs.note_truncated_line", line=broken[0])
    data.rows = rows
    data.x_axis = "step" if seen_step else ("epoch" if seen_epoch else "row")
    data.series = {name: s for name, s in keep.items() if s is not None and name not in kinds}
    data.bad_values = bad   # checked once the roles are picked
    return data
