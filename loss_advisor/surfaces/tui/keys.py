"""Footer bindings in the session's language.

Bindings are declared with ``id="tui.key.NAME"``: the ID names the message
(loss_advisor/messages/tui.yaml) that describes the key, and `localize`
puts that text, in the current language, where the footer reads it.
"""
from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode

from loss_advisor.core.i18n import t

PREFIX = "tui.key."


def key(keys: str, action: str, name: str, *, show: bool = True, group: bool = False,
        priority: bool = False, key_display: str | None = None) -> Binding:
    """A binding whose description is the message ``tui.key.<name>``."""
    return Binding(keys, action, PREFIX + name, show=show, id=PREFIX + name, priority=priority,
                   key_display=key_display, group=Binding.Group(PREFIX + name, compact=True) if group else None)


def localize(node: DOMNode, lang: str) -> None:
    """Give the node's bindings their descriptions in `lang` (the footer shows them).

    Textual keeps a node's bindings in `_bindings` (a BindingsMap built from
    BINDINGS) and has no public way to re-describe them; Textual is pinned,
    and the snapshot tests would show a change here at once.
    """
    for bound_key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[bound_key] = [_localized(b, lang) for b in bindings]


def _localized(binding: Binding, lang: str) -> Binding:
    if not (binding.id or "").startswith(PREFIX):
        return binding
    text = t(binding.id, lang)
    group = Binding.Group(text, compact=binding.group.compact) if binding.group else None
    return replace(binding, description=text, group=group)
