"""Markdown troubleshooting reports, rendered with jinja2 from a Result.

One set of templates (loss_advisor/templates/) serves every mode; a user
may pass their own template file. Text from the user's side is escaped so
it cannot break tables, code fences or Mermaid blocks.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from .i18n import t

TEMPLATE = "report.md.j2"


def md_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: one line, pipes and backticks escaped."""
    text = " ".join(str(value).split())
    for ch in ("\\", "|", "`", "*", "_", "<", ">", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


def md_text(value: Any) -> str:
    """Text safe as a Markdown paragraph or list item: one line, markup escaped."""
    return md_cell(value)


def environment(extra_dir: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if extra_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(extra_dir)))
    loaders.append(jinja2.PackageLoader("loss_advisor", "templates"))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["cell"] = md_cell
    env.filters["text"] = md_text
    env.filters["pct"] = lambda v: f"{v:.0%}" if isinstance(v, (int, float)) else str(v)
    return env


def render_markdown(result, template: str | None = None) -> str:
    path = Path(template) if template else None
    if path is not None and not path.is_file():
        raise FileNotFoundError(f"no such template: {template}")
    env = environment(path.parent if path else None)
    tpl = env.get_template(path.name if path else TEMPLATE)
    data = result.to_dict()
    return tpl.render(r=data, result=result, kb=result.kb, lang=result.lang,
                      msg=lambda key, **kw: t(key, result.lang, **kw))
