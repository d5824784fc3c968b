"""Bilingual text: the two languages, picking one, and the UI message catalogue.

Knowledge text lives in knowledge/ as ``{ja: ..., en: ...}`` mappings; the
words of the tool itself (headings, labels, errors) live in
``loss_advisor/messages/*.yaml``, one file per area, each key with both
languages. Nothing here imports torch or textual.
"""
from __future__ import annotations

import locale
import os
from functools import lru_cache
from importlib import resources
from typing import Mapping

import yaml

LANGS = ("ja", "en")
DEFAULT_LANG = "en"

Text = Mapping[str, str]


def default_lang() -> str:
    """The language from the environment: LOSS_ADVISOR_LANG, then the locale."""
    forced = os.environ.get("LOSS_ADVISOR_LANG", "").lower()
    if forced in LANGS:
        return forced
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ja" if value.lower().startswith("ja") else DEFAULT_LANG
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "ja" if loc.lower().startswith("ja") else DEFAULT_LANG


def pick(text: Text | str | None, lang: str) -> str:
    """One language of a bilingual text (plain strings pass through)."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.get(lang) or text.get(DEFAULT_LANG) or ""


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("loss_advisor").joinpath("messages")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        # libyaml's parser where PyYAML has it: 0.02 s instead of 0.2 s at every start.
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        for key, text in data.items():
            if key in merged:
                raise ValueError(f"messages/{entry.name}: key {key!r} is defined twice")
            merged[key] = text
    return merged


def catalogue() -> dict[str, dict[str, str]]:
    return _catalogue()


def t(key: str, lang: str, **values: object) -> str:
    """The UI message `key` in `lang`, with ``{name}`` placeholders filled."""
    text = _catalogue().get(key)
    if text is None:
        raise KeyError(f"no UI message {key!r}")
    template = pick(text, lang)
    return template.format(**values) if values else template


def message_in(fallback: str | None, key: str | None, params: Mapping[str, object] | None, lang: str) -> str | None:
    """A recorded message in `lang`: from the catalogue when it has a key,
    else the recorded text (an exception's own words, say)."""
    if key is None:
        return fallback
    try:
        return t(key, lang, **dict(params or {}))
    except (KeyError, IndexError, ValueError):
        return fallback
