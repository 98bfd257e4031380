"""Redirect targets taken from user input must stay on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def is_safe_next(target: str | None) -> bool:
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next_url(target: str | None, default_endpoint: str = "site.home") -> str:
    return target if is_safe_next(target) else url_for(default_endpoint)
