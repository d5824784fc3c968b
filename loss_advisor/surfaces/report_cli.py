"""`loss-advisor report RESULT.json`: render a saved result as a Markdown report.

RESULT.json is the output of `probe`/`watch`/`ask --format json` or a saved
TUI session (the same shape). The session inside is replayed on the
knowledge base, so a CI job can store JSON and render it later, in either
language, with the same templates as every other mode. Bad input of any
kind is one line on stderr and exit status 2. Nothing heavy is imported at
module level (the CLI's extension contract).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from loss_advisor.core.errors import UsageError
from loss_advisor.core.i18n import default_lang, t

HELP = "render a saved JSON result or session (probe --format json, the TUI's save) as a Markdown report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("result", metavar="RESULT.json",
                        help="a JSON result from --format json or a saved session ('-' reads stdin)")
    parser.add_argument("--template", metavar="FILE", default=None,
                        help="a jinja2 template to use instead of the built-in one (it may extend report.md.j2)")
    parser.add_argument("--assets", metavar="DIR", default=None,
                        help="also draw the charts as PNG files in DIR and link them (needs matplotlib)")
    parser.add_argument("--output", "-o", metavar="FILE", default=None,
                        help="write the report to FILE instead of stdout")


def read_json(path: str, lang: str) -> Any:
    """The parsed JSON of `path` ('-' for stdin), or a UsageError that says what is wrong with it."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(t("report.error.read", lang, path=path, reason=exc.strerror or exc)) from None
    except UnicodeDecodeError as exc:
        raise UsageError(t("report.error.read", lang, path=path, reason=f"not UTF-8 text ({exc.reason})")) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(t("report.error.not_json", lang, path=path, line=exc.lineno, column=exc.colno,
                           reason=exc.msg)) from None
    except RecursionError:   # absurdly deep nesting
        raise UsageError(t("report.error.not_json", lang, path=path, line="?", column="?",
                           reason="nested too deeply")) from None


def run(args: argparse.Namespace) -> int:
    from loss_advisor.core.engine import AnswerError
    from loss_advisor.surfaces.report import load_template, render_markdown
    from loss_advisor.core.result import Result, ResultShapeError

    lang = getattr(args, "lang", None) or default_lang()
    if args.template:
        load_template(args.template, lang)        # a broken template fails before anything else
    data = read_json(args.result, lang)
    try:
        result = Result.from_dict(data, lang=lang)
    except ResultShapeError as exc:
        raise UsageError(t("report.error.shape", lang, path=args.result, reason=exc)) from None
    except AnswerError as exc:
        raise UsageError(t("report.error.session", lang, path=args.result, reason=exc)) from None
    markdown = render_markdown(result, template=args.template, assets_dir=args.assets, report_path=args.output)
    if args.output:
        try:
            Path(args.output).write_text(markdown, encoding="utf-8")
        except OSError as exc:
            raise UsageError(t("report.error.output", lang, path=args.output, reason=exc.strerror or exc)) from None
    else:
        sys.stdout.write(markdown)
    return 0
