"""Whose records a user may file: the rule every registry form's organisation field obeys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _

from ecosystem.core.errors import UserError
from ecosystem.extensions import db
from ecosystem.registry.models import Organisation


def check_own_organisation(
    user: Any, organisation_id: int | None, allowed: Callable[[Any, Any], bool]
) -> None:
    """Members file records for their own organisations only (``allowed`` is the
    permission that says so); administrators for any, and so does the platform itself (no
    user: seeding, and imports, which checked their organisation when they started)."""
    if user is None or user.is_admin:
        return
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or not allowed(user, organisation):
        raise UserError(_("Bạn không thuộc tổ chức này."), field="organisation_id", status=403)
