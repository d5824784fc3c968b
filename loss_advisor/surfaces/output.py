"""What every command shares: exit codes, output formats, progress on stderr."""
from __future__ import annotations

import json
from typing import TextIO

from loss_advisor.core.i18n import t

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
FORMATS = ("text", "json", "markdown")


def emit(result, fmt: str, out: TextIO, template: str | None = None, assets: str | None = None) -> None:
    if fmt == "json":
        json.dump(result.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "markdown":
        from loss_advisor.surfaces.report import render_markdown
        out.write(render_markdown(result, template=template, assets_dir=assets))
    else:
        out.write(result.to_text())


class ProgressPrinter:
    """Probe progress on stderr: one updating line on a terminal, one line per probe otherwise."""

    def __init__(self, stream: TextIO, lang: str):
        self.stream, self.lang = stream, lang
        self.tty = stream.isatty()

    # The longest probe name (input_baseline, regularization) is 14 characters.
    NAME_WIDTH = 14

    def __call__(self, name: str, index: int, total: int, fraction: float, message: str) -> None:
        # The runner reports every probe, skipped ones included, so the
        # counter runs 1..N; counter and name are padded so that the status
        # column lines up.
        counter = f"[{index + 1:>{len(str(total))}}/{total}]"
        if self.tty:
            self.stream.write(f"\r\033[K{counter} {name:<{self.NAME_WIDTH}} {fraction:4.0%} {message[:40]}")
            if fraction >= 1.0 and index + 1 == total:
                self.stream.write("\r\033[K")
            self.stream.flush()
        elif message in ("ok", "skipped", "error"):
            self.stream.write(f"{counter} {name + ':':<{self.NAME_WIDTH + 1}} {t('status.' + message, self.lang)}\n")
            self.stream.flush()
