"""Permissions on core objects. Features declare their own in their permissions.py."""

from __future__ import annotations

from typing import Any


def can_view_job(user: Any, job: Any) -> bool:
    if user is None:
        return False
    return job.created_by_id == user.id or bool(getattr(user, "is_admin", False))
