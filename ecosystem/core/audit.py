"""The append-only audit log and the one helper every operation uses to write it.

Operations call ``record_audit`` in the same transaction as the change they describe, so
an audit row exists exactly when the change was committed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from ecosystem.core.models import Base, utcnow
from ecosystem.extensions import db


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # No ON DELETE action: accounts are disabled, never deleted, and history stays intact.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(255), default="system")
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.object_type}:{self.object_id}>"


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(mapper: Any, connection: Any, target: AuditEvent) -> None:
    # The database refuses too (triggers in the migration); this catches it earlier.
    raise AppendOnlyError("audit events are append-only")


def _object_ref(obj: Any) -> tuple[str, str | None]:
    object_type = getattr(obj, "__tablename__", type(obj).__name__.lower())
    ident = getattr(obj, "id", None)
    return object_type, None if ident is None else str(ident)


def _current_actor() -> tuple[int | None, str]:
    user = g.get("user") if has_app_context() else None
    if user is not None and getattr(user, "id", None) is not None:
        return user.id, user.email
    return None, "system"


def record_audit(
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Any = None,
    **extra: Any,
) -> AuditEvent:
    """Add an audit row to the current transaction (flushes the object to get its id)."""
    if obj is not None:
        if getattr(obj, "id", None) is None:
            db.session.flush()
        object_type, ref = _object_ref(obj) if object_type is None else (object_type, None)
        object_id = ref if object_id is None else object_id
    if actor is not None:
        actor_id, label = actor.id, actor.email
    else:
        actor_id, label = _current_actor()
    summary: dict[str, Any] = dict(extra)
    if before is not None:
        summary["before"] = before
    if after is not None:
        summary["after"] = after
    row = AuditEvent(
        action=action,
        object_type=object_type or "system",
        object_id=None if object_id is None else str(object_id),
        actor_id=actor_id,
        actor_label=label,
        summary=_jsonable(summary),
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(row)
    return row


def _jsonable(value: Any) -> Any:
    """Dates, enums and decimals become strings so the summary is plain JSON."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)
