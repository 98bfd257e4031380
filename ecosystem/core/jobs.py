"""Jobs: long background work (index rebuilds, imports, exports) that users can follow.

A task receives the job id, reports progress through ``JobRun`` and ends with a result or a
readable error; the job page polls the row.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ecosystem.core.models import Base, enum_column, utcnow
from ecosystem.core.tasks import enqueue_after_commit
from ecosystem.extensions import db

log = logging.getLogger(__name__)


class JobState(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[JobState] = mapped_column(enum_column(JobState), default=JobState.queued)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    error: Mapped[str | None] = mapped_column(sa.Text)
    result: Mapped[dict[str, Any] | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()

    __table_args__ = (
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
    )

    @property
    def finished(self) -> bool:
        return self.state in (JobState.succeeded, JobState.failed)


def start_job(kind: str, task: Any, *args: Any, user: Any = None, **kwargs: Any) -> Job:
    """Create a queued job and send ``task(job_id, *args)`` once the caller commits."""
    job = Job(kind=kind, created_by_id=getattr(user, "id", None))
    db.session.add(job)
    db.session.flush()
    enqueue_after_commit(task, job.id, *args, **kwargs)
    return job


class JobFailed(Exception):
    """Raised by a job body to fail with a message meant for the user."""


class JobRun:
    """What a task body uses to report progress. Each report is committed at once."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def job_locale(self) -> str:
        """The language of the person who started the job, for its messages."""
        from ecosystem.core.models import Base

        users = Base.metadata.tables.get("users")
        if self.job.created_by_id is None or users is None:
            return "vi"
        locale = db.session.scalar(
            sa.select(users.c.locale).where(users.c.id == self.job.created_by_id)
        )
        return locale or "vi"

    def progress(self, percent: float, message: str = "") -> None:
        self.job.progress = max(0, min(100, int(percent)))
        if message:
            self.job.message = message[:500]
        db.session.commit()


def run_job(job_id: int, body: Callable[[JobRun], dict[str, Any] | None]) -> dict[str, Any]:
    """Run ``body`` for the job: mark it running, then succeeded with its result or failed.

    Work done by a failing body is rolled back; only the failure itself is recorded.
    """
    job = db.session.get(Job, job_id)
    if job is None:
        log.warning("job %s vanished before it ran", job_id)
        return {"state": "missing"}
    job.state, job.started_at, job.progress = JobState.running, utcnow(), 0
    db.session.commit()
    try:
        result = body(JobRun(job)) or {}
    except Exception as exc:  # any failure ends the job with a readable message
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.state, job.finished_at = JobState.failed, utcnow()
        job.error = str(exc) if isinstance(exc, JobFailed) else f"{type(exc).__name__}: {exc}"
        db.session.commit()
        log.exception("job %s (%s) failed", job_id, job.kind)
        return {"state": "failed", "error": job.error}
    job.state, job.progress, job.finished_at = JobState.succeeded, 100, utcnow()
    job.result = result
    db.session.commit()
    return {"state": "succeeded", "result": result}
