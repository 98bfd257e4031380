"""Jobs: long background work (index rebuilds, imports, exports) that users can follow.

A task receives the job id, reports progress through ``JobRun`` and ends with a result or a
readable error; the job page polls the row.

Supervision: a running job beats (``heartbeat_at``) from a side thread on its own
connection, so even one long transaction keeps it alive. A job whose beat stopped for
``JOB_TIMEOUT_SECONDS`` (the worker was killed) is marked failed, by the beat task and by the
job's own page, and can be started again. A task runs its job only if it can claim it from
``queued``: a redelivered message (Redis hands it out again after a worker died) finds the
job no longer queued and does nothing, so no job is ever applied twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
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
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column()
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

        users = Base.metadata.tables.get("users")
        if self.job.created_by_id is None or users is None:
            return "vi"
        locale = db.session.scalar(
            sa.select(users.c.locale).where(users.c.id == self.job.created_by_id)
        )
        return locale or "vi"

    def progress(self, percent: float, message: str = "") -> None:
        self.job.progress = max(0, min(100, int(percent)))
        self.job.heartbeat_at = utcnow()
        if message:
            self.job.message = message[:500]
        db.session.commit()


def run_job(job_id: int, body: Callable[[JobRun], dict[str, Any] | None]) -> dict[str, Any]:
    """Run ``body`` for the job: claim it, then mark it succeeded with its result or failed.

    Work done by a failing body is rolled back; only the failure itself is recorded.
    """
    if not _claim(job_id):
        log.warning("job %s is not queued (already run or given up): not run again", job_id)
        return {"state": "skipped"}
    job = db.session.get(Job, job_id)
    try:
        with _heartbeat(job_id):
            result = body(JobRun(job)) or {}
    except Exception as exc:  # any failure ends the job with a readable message
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, getattr(job, "kind", "?"))
        job = db.session.get(Job, job_id)
        job.state, job.finished_at = JobState.failed, utcnow()
        job.error = str(exc) if isinstance(exc, JobFailed) else _unexpected(JobRun(job))
        db.session.commit()
        return {"state": "failed", "error": job.error}
    # Even if supervision gave up on it meanwhile, the work is committed: say so.
    job.state, job.progress, job.finished_at = JobState.succeeded, 100, utcnow()
    job.result, job.error = result, None
    db.session.commit()
    return {"state": "succeeded", "result": result}


def _claim(job_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.state == JobState.queued)
        .values(state=JobState.running, started_at=now, heartbeat_at=now, progress=0)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _unexpected(run: JobRun) -> str:
    # The exception and its SQL stay in the log (with the job number); the user reads this.
    with force_locale(run.job_locale()):
        return gettext(
            "Công việc gặp lỗi ngoài ý muốn và đã dừng; không có thay đổi nào được ghi. "
            "Hãy thử lại; nếu lỗi lặp lại, báo quản trị viên mã công việc #%(id)d.",
            id=run.job.id,
        )


@contextlib.contextmanager
def _heartbeat(job_id: int) -> Iterator[None]:
    """Beat every ``JOB_HEARTBEAT_SECONDS`` on a separate connection while the body runs."""
    interval = current_app.config["JOB_HEARTBEAT_SECONDS"]
    engine = db.engine
    if engine.dialect.name == "sqlite":
        # SQLite has one writer: a beat committed beside the body's open transaction would
        # make the body's own write fail ("database is locked" on upgrading its snapshot).
        # The embedded default runs jobs in the web process; they beat through progress().
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                with engine.begin() as connection:
                    connection.execute(
                        sa.update(Job.__table__)
                        .where(Job.__table__.c.id == job_id)
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # a busy database delays a beat; the next one tries again
                log.debug("job %s: heartbeat skipped", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()


def is_stale(job: Job, now: dt.datetime | None = None) -> bool:
    if job.state is not JobState.running:
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    timeout = dt.timedelta(seconds=current_app.config["JOB_TIMEOUT_SECONDS"])
    return last < (now or utcnow()) - timeout


def give_up(job: Job) -> None:
    """Mark a job whose worker stopped beating as failed; the caller commits."""
    job.state, job.finished_at = JobState.failed, utcnow()
    with force_locale(JobRun(job).job_locale()):
        job.error = gettext(
            "Công việc đã dừng vì tiến trình xử lý ngừng hoạt động; không có thay đổi nào "
            "được ghi. Bạn có thể thực hiện lại."
        )
    log.warning("job %s (%s) gave no sign of life: marked failed", job.id, job.kind)


def supervised(job: Job | None) -> Job | None:
    """The job as its page should show it: a running job that stopped beating is failed.
    The request commits the change (a page read may thus record the worker's death)."""
    if job is not None and is_stale(job):
        give_up(job)
    return job


def find_job(job_id: int | None) -> Job | None:
    return supervised(db.session.get(Job, job_id)) if job_id else None


def reap_stale_jobs(now: dt.datetime | None = None) -> int:
    """Give up on every running job that stopped beating. Returns how many."""
    now = now or utcnow()
    timeout = dt.timedelta(seconds=current_app.config["JOB_TIMEOUT_SECONDS"])
    last = sa.func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)
    stale = db.session.scalars(
        sa.select(Job).where(Job.state == JobState.running, last < now - timeout).with_for_update()
    ).all()
    for job in stale:
        give_up(job)
    return len(stale)
