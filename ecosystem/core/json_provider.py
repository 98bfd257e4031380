"""Reading request JSON without a way to crash the parser.

Python's parser recurses once per nesting level: ``[[[[…]]]]`` ten thousand deep raises
RecursionError, which is not the ValueError Flask turns into "bad JSON", so it became a 500.
Here it is bad JSON like any other.
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class SafeJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
