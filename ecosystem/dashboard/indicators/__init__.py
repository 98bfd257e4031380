"""Indicators computed from the platform's records, by month, quarter and year.

Each indicator states its formula (shown on its page), computes one value per period in
one query (conditional aggregation over the periods, so a page costs a handful of
statements whatever the size of the registry), and can list the records behind a value
(the drill-down, filtered by the records' own visibility rules).

Indicators come from providers. The built-in ones (``builtin``) read the registry, matching
and the fund; a later feature adds its own without this package importing it::

    from ecosystem.dashboard.indicators import register_provider
    register_provider("labs", lab_indicators)   # e.g. from the labs feature's init_app

A provider is a function returning a list of ``Indicator``. Open-data datasets are
pluggable the same way (``ecosystem.dashboard.open_data.register_dataset``).
"""

from __future__ import annotations

from collections.abc import Callable

from ecosystem.dashboard.indicators.base import (
    Bucket,
    Drill,
    Indicator,
    Value,
    buckets_for,
)
from ecosystem.dashboard.indicators.builtin import platform_indicators
from ecosystem.dashboard.indicators.labs import lab_indicators

Provider = Callable[[], list[Indicator]]
_PROVIDERS: dict[str, Provider] = {}


def register_provider(name: str, provider: Provider) -> None:
    """Add (or replace) the indicators of one feature."""
    _PROVIDERS[name] = provider


def unregister_provider(name: str) -> None:
    _PROVIDERS.pop(name, None)


def providers() -> dict[str, Provider]:
    """The built-in indicators (platform, fund, labs), then those a feature registered (a
    registered name replaces a built-in one of the same name)."""

    return {"platform": platform_indicators, "labs": lab_indicators, **_PROVIDERS}


def all_indicators() -> list[Indicator]:
    return [indicator for provider in providers().values() for indicator in provider()]


def get_indicator(key: str) -> Indicator | None:
    return next((i for i in all_indicators() if i.key == key), None)


__all__ = [
    "Bucket",
    "Drill",
    "Indicator",
    "Value",
    "all_indicators",
    "buckets_for",
    "get_indicator",
    "providers",
    "register_provider",
    "unregister_provider",
]
