"""Scheduled lab work: give back the slots of bookings nobody checked in in time."""

from __future__ import annotations

from celery import shared_task

from ecosystem.core.uow import transaction
from ecosystem.labs.release import release_unclaimed


@shared_task(name="labs.release_unclaimed")
def release_unclaimed_bookings() -> dict:
    with transaction():
        return release_unclaimed()
