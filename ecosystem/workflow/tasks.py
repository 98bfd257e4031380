"""Scheduled fund work: milestone reminders and escalations, and closing calls at their deadline."""

from __future__ import annotations

from celery import shared_task

from ecosystem.core.uow import transaction
from ecosystem.workflow.awards import remind_milestones
from ecosystem.workflow.calls import close_due_calls


@shared_task(name="workflow.daily")
def daily() -> dict:
    with transaction():
        counts = remind_milestones()
        counts["closed_calls"] = close_due_calls()
    return counts
