"""Enqueue Celery tasks only once the current transaction has committed.

A task that reads a row the request has not committed yet would not find it (real worker)
or would deadlock on SQLite (in-process tasks), so tasks wait for the commit; a rollback
discards them. In-process (eager) tasks committed by a request wait further, until the
response has been sent (``core.uow``): a page never waits for background work.

When the broker cannot take a message (Redis down), the data is already committed: the
message is kept in ``undelivered_tasks`` and sent again by the beat task once the broker is
back, so a write never silently loses its follow-up work (an index update, a mail).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context, has_request_context
from kombu.exceptions import OperationalError as BrokerUnavailable
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from ecosystem.core.models import Base, utcnow
from ecosystem.extensions import db

log = logging.getLogger(__name__)
_PENDING = "ecosystem_pending_tasks"
_DEFERRED = "_deferred_tasks"


class UndeliveredTask(Base):
    """A task message the broker refused, kept until it can be sent again."""

    __tablename__ = "undelivered_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    args: Mapped[list[Any]] = mapped_column(sa.JSON)
    kwargs: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def app_task(task: Any) -> Any:
    """This app's instance of a Celery task. A shared task otherwise follows Celery's
    process-wide default app (the last Flask app created), and would run with another
    app's configuration and database."""
    name = getattr(task, "name", None)
    celery = current_app.extensions.get("celery") if has_app_context() else None
    if celery is None or name is None or name not in celery.tasks:
        return task
    return celery.tasks[name]


def enqueue_after_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task.delay(*args, **kwargs)`` after the session's next successful commit."""
    task = app_task(task)
    session = db.session()
    if not session.in_transaction():
        # Tie the task to a transaction, so that a rollback also discards it.
        session.begin()
    session.info.setdefault(_PENDING, []).append((task, args, kwargs))


def call_after_commit(callback: Any, *args: Any) -> None:
    """Run ``callback(*args)`` after the next successful commit (e.g. delete a file whose
    row is being deleted: if the transaction rolls back, the file must still be there)."""
    enqueue_after_commit(_Callback(callback), *args)


class _Callback:
    def __init__(self, function: Any) -> None:
        self.function = function
        self.name = getattr(function, "__name__", "callback")

    def apply_async(self, args: tuple, kwargs: dict) -> None:
        self.function(*args, **kwargs)


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy fires after_commit for a released savepoint too (``atomic()``): the
        # work is not committed yet, so its tasks wait for the real commit.
        return
    pending = session.info.pop(_PENDING, [])
    if pending and has_request_context() and _runs_in_process():
        g.setdefault(_DEFERRED, []).extend(pending)
        return
    _send(pending)


def _send(pending: list[tuple[Any, tuple, dict]]) -> None:
    for task, args, kwargs in pending:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except BrokerUnavailable:
            _keep_for_later(task, args, kwargs)
        except Exception:  # the data is committed; a failed task is logged, not a 500
            log.exception("could not enqueue task %s", getattr(task, "name", task))


def _keep_for_later(task: Any, args: tuple, kwargs: dict) -> None:
    name = getattr(task, "name", None)
    log.warning("broker unavailable: task %s kept for later", name)
    try:
        # The request's session has just committed (this runs from its after-commit hook):
        # the message is kept through a connection of its own.
        with db.engine.begin() as connection:
            connection.execute(
                sa.insert(UndeliveredTask.__table__).values(
                    name=name, args=list(args), kwargs=dict(kwargs), created_at=utcnow()
                )
            )
    except Exception:
        log.exception("could not keep task %s for later: it is lost", name)


def resend_undelivered(limit: int = 1000) -> int:
    """Send kept messages again, oldest first; stop at the first refusal (the broker is
    still down). Returns how many went out. The caller's transaction removes them."""
    celery = current_app.extensions["celery"]
    sent = 0
    kept = db.session.scalars(
        sa.select(UndeliveredTask).order_by(UndeliveredTask.id).limit(limit).with_for_update()
    ).all()
    for message in kept:
        task = celery.tasks.get(message.name)
        if task is not None:
            try:
                task.apply_async(args=message.args, kwargs=message.kwargs)
            except BrokerUnavailable:
                break
            sent += 1
        else:
            log.error("kept task %s no longer exists: dropped", message.name)
        db.session.delete(message)
    return sent


def _runs_in_process() -> bool:
    celery = current_app.extensions.get("celery")
    return celery is not None and bool(celery.conf.task_always_eager)


def take_deferred_tasks() -> list[tuple[Any, tuple, dict]]:
    """The in-process tasks this request committed, to run once its response is sent."""
    return g.pop(_DEFERRED, [])


def run_deferred_tasks(app: Flask, pending: list[tuple[Any, tuple, dict]]) -> None:
    # The request's context is gone by now; each task opens its own, the callbacks get one.
    with app.app_context():
        _send(pending)


@event.listens_for(Session, "after_soft_rollback")
def _discard_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    # A rolled-back savepoint keeps the outer work (and its tasks); an outer rollback
    # (soft, so it also fires when the session is joined to an external transaction)
    # discards them.
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
