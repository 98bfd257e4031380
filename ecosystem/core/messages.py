"""Messages kept as data, to be worded in the reader's language when shown.

A check that runs in a background job (an import's dry run) must not store its messages
as sentences: the user who reads them later may have switched language. ``portable`` turns
a lazily translated message (``lazy_gettext`` and friends, or a WTForms message passed
through the form's translations) into its msgid and parameters; ``render`` words it in the
current language. Plain text (rows stored before messages were kept as data, text that
comes from nowhere in the catalogue) is shown as it was written.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, ngettext, npgettext, pgettext
from flask_babel.speaklater import LazyString

_CALLS = {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}
_NAMES = {func: name for name, func in _CALLS.items()}


class SourcedText(str):
    """A translated message that remembers its lazy source and the values WTForms puts
    into it (``message % {"min": 1}``), so it can still be stored as data."""

    source: LazyString
    params: dict[str, Any]

    def __new__(cls, source: LazyString, params: dict[str, Any] | None = None) -> SourcedText:
        text = str(source)
        if params:
            text = text % params
        obj = super().__new__(cls, text)
        obj.source, obj.params = source, dict(params or {})
        return obj

    def __mod__(self, params: Any) -> SourcedText:
        if not isinstance(params, dict):
            return str.__mod__(self, params)
        return SourcedText(self.source, params)


def portable(message: Any) -> Any:
    """JSON-ready form of a message: {"call", "args", "kwargs"[, "params"]} or plain text."""
    params: dict[str, Any] = {}
    if isinstance(message, SourcedText):
        message, params = message.source, message.params
    if not isinstance(message, LazyString) or message._func not in _NAMES:
        return str(message)
    stored: dict[str, Any] = {
        "call": _NAMES[message._func],
        "args": list(message._args),
        "kwargs": {k: _value(v) for k, v in message._kwargs.items()},
    }
    if params:
        stored["params"] = {k: _value(v) for k, v in params.items()}
    return stored


def render(stored: Any) -> str:
    """The stored message in the current language (old plain-text messages unchanged)."""
    if not isinstance(stored, dict) or stored.get("call") not in _CALLS:
        return "" if stored is None else str(stored)
    kwargs = {k: _shown(v) for k, v in stored.get("kwargs", {}).items()}
    params = {k: _shown(v) for k, v in stored.get("params", {}).items()}
    try:
        text = _CALLS[stored["call"]](*stored["args"], **kwargs)
        return text % params if params else text
    except (KeyError, TypeError, ValueError):  # a catalogue that no longer fits the data
        msgid = stored["args"][1 if stored["call"].startswith(("p", "np")) else 0]
        return str(msgid)


def _value(value: Any) -> Any:
    if isinstance(value, LazyString | SourcedText):
        return portable(value)
    return value if isinstance(value, int | float | bool) or value is None else str(value)


def _shown(value: Any) -> Any:
    return render(value) if isinstance(value, dict) else value
