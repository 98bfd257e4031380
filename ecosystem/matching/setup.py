"""Plugging matching into the application (kept out of __init__ so the command line stays light)."""

from __future__ import annotations

from flask import Flask

from ecosystem.matching import signals
from ecosystem.matching.permissions import details_unlocked
from ecosystem.registry.permissions import register_details_rule


def init_app(app: Flask) -> None:
    signals.connect()
    # After an introduction both sides see each other's confidential details and contacts.
    register_details_rule(details_unlocked)
    from ecosystem.matching.views import bp

    app.register_blueprint(bp)
    _schedule(app)


def _schedule(app: Flask) -> None:
    """Celery beat: rebuild the index every night, send the digest every Monday morning
    (Huế time, as the rest of the schedule)."""
    from celery.schedules import crontab

    celery = app.extensions.get("celery")
    if celery is None:
        return
    schedule = dict(celery.conf.beat_schedule or {})
    schedule.setdefault(
        "matching-nightly-rebuild",
        {"task": "matching.nightly_rebuild", "schedule": crontab(hour=2, minute=30)},
    )
    schedule.setdefault(
        "matching-weekly-digest",
        {"task": "matching.weekly_digest", "schedule": crontab(day_of_week=1, hour=7, minute=30)},
    )
    celery.conf.beat_schedule = schedule


def seed_matching() -> int:
    """Demo data part: build the index and the proposals once, after the registry is loaded."""
    from ecosystem.matching.tasks import rebuild_index

    return rebuild_index()["proposals"]
