"""Live counts for the home page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ecosystem.auth.models import User
from ecosystem.extensions import db


def home_counts() -> list[tuple[str, int]]:
    counters = [(_l("Thành viên"), select(func.count(User.id)).where(User.is_active.is_(True)))]
    return [(str(label), db.session.scalar(query) or 0) for label, query in counters]
