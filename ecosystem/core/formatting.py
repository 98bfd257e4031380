"""Vietnamese presentation: dates dd/mm/yyyy, times in Huế's zone, money as 1.234.567 ₫."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask_babel import get_locale

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def parse_date(text: str) -> dt.date:
    """A date typed as dd/mm/yyyy (also yyyy-mm-dd from date pickers, or dd-mm-yyyy)."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%d/%m/%Y %H:%M")


def to_local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_TZ)


def format_number(value: int | float | Decimal | None) -> str:
    """Group thousands with dots, as Vietnamese writes them: 1234567 -> 1.234.567."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(round(value))):,}".replace(",", ".")


def format_decimal(value: float | Decimal | None, places: int = 2) -> str:
    """A score or ratio: a decimal comma in Vietnamese (3,50), a point in English (3.50)."""
    if value is None:
        return ""
    text = f"{value:.{places}f}"
    return text if _locale() == "en" else text.replace(".", ",")


def _locale() -> str:

    return str(get_locale()) if has_request_context() else "vi"


def format_vnd(value: int | float | Decimal | None) -> str:
    if value is None:
        return ""
    return f"{format_number(value)} ₫"


# The largest amount a form accepts (a quadrillion đồng): far beyond any real budget, far
# below the database's 64-bit integers.
MAX_VND = 10**15


def parse_vnd(text: str) -> int:
    """Read an amount typed as 1.234.567, 1 234 567, 1,234,567 or 1234567 (optionally ₫/VND)."""
    cleaned = text.strip().upper().replace("VND", "").replace("₫", "").replace("Đ", "")
    for sep in (".", ",", " ", "\u00a0"):
        cleaned = cleaned.replace(sep, "")
    if not cleaned.isdigit():
        raise ValueError(text)
    return int(cleaned)


def format_details(value: Any) -> str:
    """An audit row's details as a person reads them: ``key: value; …`` with the text as
    typed (Vietnamese letters, not ``\\u`` escapes); nested values as compact JSON."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    parts = []
    for key, item in value.items():
        text = (
            json.dumps(item, ensure_ascii=False, default=str, separators=(", ", ": "))
            if isinstance(item, dict | list)
            else str(item)
        )
        parts.append(f"{key}: {text}")
    return "; ".join(parts)
