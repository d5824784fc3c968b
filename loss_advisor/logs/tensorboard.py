"""TensorBoard event files, read with TensorBoard's own loader.

`tensorboard` is an optional extra (`pip install "loss-advisor[tensorboard]"`)
and is imported only here, only when a TensorBoard log is read. Scalars
written by `torch.utils.tensorboard.SummaryWriter` (`simple_value`) and by
TensorFlow 2 (`tensor` with a scalar) are both read. A file cut off while it
was written gives the events before the cut, with a note; a file that holds
no readable event is an error. Torch-free.
"""
from __future__ import annotations

import logging
import os
import struct
from pathlib import Path

from loss_advisor.logs import columns as C
from loss_advisor.logs.base import LogData, LogError, Series

INSTALL = 'pip install "loss-advisor[tensorboard]"'
# TensorFlow DataType numbers of the float scalars a summary may carry.
_FLOAT, _DOUBLE, _HALF = 1, 2, 19


def is_event_file(path: Path) -> bool:
    return "tfevents" in path.name


def event_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted((p for p in path.rglob("*tfevents*") if p.is_file()), key=lambda p: (str(p.parent), p.name))
    return [path]


def _loader():
    try:
        logging.getLogger("tensorboard").setLevel(logging.ERROR)
        from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
    except ImportError:
        raise LogError("logs.err_no_tensorboard", install=INSTALL) from None
    return LegacyEventFileLoader


def _framing(path: Path) -> tuple[int, bool]:
    """(whole records, whether the file ends on a record boundary), from the
    TFRecord framing alone: 8-byte length, 4-byte CRC, data, 4-byte CRC."""
    size = os.path.getsize(path)
    records, pos = 0, 0
    with open(path, "rb") as fh:
        while pos < size:
            head = fh.read(8)
            if len(head) < 8:
                return records, False
            (length,) = struct.unpack("<Q", head)
            pos += 16 + length
            if pos > size:
                return records, False
            fh.seek(pos)
            records += 1
    return records, True


def _tensor_scalar(tensor) -> float | None:
    if any(d.size != 1 for d in tensor.tensor_shape.dim):
        return None
    if tensor.float_val:
        return float(tensor.float_val[0])
    if tensor.double_val:
        return float(tensor.double_val[0])
    if tensor.half_val and tensor.dtype == _HALF:
        return struct.unpack("<e", struct.pack("<H", tensor.half_val[0]))[0]
    content = tensor.tensor_content
    if content:
        fmt = {_FLOAT: "<f", _DOUBLE: "<d", _HALF: "<e"}.get(tensor.dtype)
        if fmt and len(content) == struct.calcsize(fmt):
            return struct.unpack(fmt, content)[0]
    return None


def read_tensorboard(path: Path, train_col=None, val_col=None, lr_col=None, grad_col=None) -> LogData:
    files = event_files(path)
    if not files:
        raise LogError("logs.err_no_events", path=str(path))
    Loader = _loader()
    root = path if path.is_dir() else path.parent
    runs = sorted({f.parent for f in files})
    # One run: tags as they are. Several runs (Keras writes train/ and
    # validation/ side by side): each tag is prefixed with its run folder.
    prefix = {r: "" if len(runs) == 1 else (r.relative_to(root).as_posix() + "/" if r != root else "") for r in runs}
    data = LogData("tensorboard", str(path), [], {}, x_axis="step")
    series: dict[str, Series] = {}
    ignored: set[str] = set()
    readable = 0
    for f in files:
        events = 0
        try:
            for event in Loader(str(f)).Load():
                events += 1
                if not event.HasField("summary"):
                    continue
                for value in event.summary.value:
                    kind = value.WhichOneof("value")
                    if kind == "simple_value":
                        v = float(value.simple_value)
                    elif kind == "tensor":
                        v = _tensor_scalar(value.tensor)
                        if v is None:
                            continue
                    else:
                        continue
                    name = prefix[f.parent] + value.tag
                    s = series.get(name)
                    if s is None:
                        if name in ignored:
                            continue
                        data.columns.append(name)
                        if not C.interesting(name) and name not in (train_col, val_col, lr_col, grad_col):
                            ignored.add(name)
                            continue
                        s = series[name] = Series()
                    s.add(float(event.step), v)
        except OSError as exc:
            raise LogError("logs.err_open", path=str(f), reason=exc.strerror or str(exc)) from None
        except Exception as exc:   # a damaged protobuf: say which file, never a traceback
            raise LogError("logs.err_bad_events", path=str(f), reason=type(exc).__name__) from None
        records, clean = _framing(f)
        if events:
            readable += 1
            if not clean:
                data.note("logs.note_tb_truncated", path=f.name, events=events)
            elif events < records:
                data.note("logs.note_tb_damaged", path=f.name, events=events, records=records)
        elif os.path.getsize(f):
            data.note("logs.note_tb_unreadable", path=f.name)
        data.rows += events
    if not readable:
        raise LogError("logs.err_tb_unreadable", path=str(path))
    if not data.columns:
        raise LogError("logs.err_no_scalars", path=str(path))
    data.series = series
    return data
