"""Huế innovation-ecosystem platform.

``create_app`` is imported lazily so that light entry points (``python -m
ecosystem.matching``) do not pay for loading Flask and every feature.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None):
    from ecosystem.app import create_app as _create_app  # noqa: PLC0415 (see the docstring)

    return _create_app(config)
