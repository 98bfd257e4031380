"""Redirect targets taken from user input must stay on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for


def is_safe_next(target: str | None) -> bool:
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next_url(target: str | None, default_endpoint: str = "site.home") -> str:
    return target if is_safe_next(target) else url_for(default_endpoint)


def external_url(endpoint: str, **values: object) -> str:
    """An absolute link for e-mails: always on BASE_URL (the public address), never on
    whatever host a request or a background task happens to run under."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build(endpoint, {k: v for k, v in values.items() if v is not None})
    return current_app.config["BASE_URL"].rstrip("/") + path
