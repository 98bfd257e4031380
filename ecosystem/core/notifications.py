"""In-app notifications, worded in the reader's language when shown.

A notification stores a message key and its parameters, not a sentence, so a user who
switches language reads every notification in the new one. Features register the wording
of their keys with ``register_messages``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ecosystem.core.models import Base, utcnow
from ecosystem.extensions import db

_MESSAGES: dict[str, Any] = {}


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    link: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column()

    @property
    def text(self) -> str:
        return render_message(self.key, self.params)


def render_message(key: str, params: dict[str, Any]) -> str:
    """The message in the current language (call inside force_locale for someone else)."""
    template = _MESSAGES.get(key)
    if template is None:
        return key
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def register_messages(messages: dict[str, Any]) -> None:
    """Key → lazy-translated text with %(name)s placeholders."""
    _MESSAGES.update(messages)


def notify(
    user_ids: Iterable[int], key: str, params: dict[str, Any] | None = None, link: str = ""
) -> int:
    count = 0
    for user_id in dict.fromkeys(user_ids):
        db.session.add(Notification(user_id=user_id, key=key, params=params or {}, link=link[:300]))
        count += 1
    return count


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(user: Any, ids: Iterable[int] | None = None) -> list[int]:
    """Mark ``user``'s unread notifications read (only those of ``ids`` when given); a
    notification of somebody else is never touched. Returns the ids marked."""
    if user is None:
        return []
    condition = (Notification.user_id == user.id) & Notification.read_at.is_(None)
    if ids is not None:
        condition &= Notification.id.in_(list(ids))
    marked = list(db.session.scalars(sa.select(Notification.id).where(condition)))
    if marked:
        db.session.execute(
            sa.update(Notification).where(Notification.id.in_(marked)).values(read_at=utcnow())
        )
    return marked
