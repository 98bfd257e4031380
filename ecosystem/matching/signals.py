"""Listening to the registry: every committed change refreshes the matching, in the background.

All changes of one transaction are gathered into one task, sent after the commit (a rolled
back change never reaches the index). ``paused()`` lets bulk loaders (demo data) skip this
and rebuild once at the end.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from ecosystem.core.tasks import enqueue_after_commit
from ecosystem.extensions import db
from ecosystem.matching.models import Match
from ecosystem.matching.tasks import update_records
from ecosystem.registry.signals import record_archived, record_saved, records_merged

_paused: ContextVar[bool] = ContextVar("matching_paused", default=False)
_PENDING = "matching_pending_records"


@contextlib.contextmanager
def paused() -> Iterator[None]:
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def _queue(kind: str, object_id: int, substantial: bool) -> None:
    if _paused.get():
        return

    session = db.session()
    items = session.info.get(_PENDING)
    if items is None:
        items = session.info[_PENDING] = []
        # The list is sent after the commit, with every change made until then.
        enqueue_after_commit(update_records, items)
    items.append([kind, object_id, substantial])


@event.listens_for(Session, "after_commit")
def _reset_after_commit(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_soft_rollback")
def _reset_after_rollback(session: Session, previous_transaction: Any) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


def _on_saved(kind: str, obj: Any = None, substantial: bool = False, **_: Any) -> None:
    _queue(kind, obj.id, substantial)


def _on_archived(kind: str, obj: Any = None, **_: Any) -> None:
    _queue(kind, obj.id, False)


def _on_merged(kind: str, survivor: Any = None, merged: Any = None, **_: Any) -> None:
    if kind == "organisation":
        # Proposals people already acted on belong to the surviving organisation now,
        # so its members see them and introductions keep unlocking the right contacts.
        for column in (Match.source_org_id, Match.target_org_id):
            db.session.execute(
                update(Match).where(column == merged.id).values({column.key: survivor.id})
            )
    _queue(kind, survivor.id, True)


def connect() -> None:
    record_saved.connect(_on_saved)
    record_archived.connect(_on_archived)
    records_merged.connect(_on_merged)
