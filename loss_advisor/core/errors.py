"""Errors every layer may raise and every surface knows how to show."""
from __future__ import annotations


class UsageError(Exception):
    """A one-line reason to exit with status 2 (bad usage, a target, log or
    script that cannot be loaded, a template that does not render)."""
