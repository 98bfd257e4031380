"""Plugging matching into the application (kept out of __init__ so the command line stays light)."""

from __future__ import annotations

from flask import Flask

from ecosystem.matching import (
    signals,
    term_views,  # noqa: F401 - adds the dictionary pages to bp
)
from ecosystem.matching.permissions import details_unlocked
from ecosystem.matching.tasks import rebuild_index
from ecosystem.matching.views import bp
from ecosystem.registry.permissions import register_details_rule


def init_app(app: Flask) -> None:
    signals.connect()
    # After an introduction both sides see each other's confidential details and contacts.
    register_details_rule(details_unlocked)

    app.register_blueprint(bp)


def seed_matching() -> int:
    """Demo data part: build the index and the proposals once, after the registry is loaded."""

    return rebuild_index()["proposals"]
