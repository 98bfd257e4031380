"""Background work of the site itself: the system check an administrator can run."""

from __future__ import annotations

from celery import shared_task
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from ecosystem.core.audit import record_audit
from ecosystem.core.jobs import Job, JobRun, reap_stale_jobs, run_job, start_job
from ecosystem.core.tasks import resend_undelivered
from ecosystem.core.uow import transaction
from ecosystem.extensions import db


def start_system_check(user=None) -> Job:
    """Queue a job that counts the rows of every table (proves the worker and database work)."""
    job = start_job("system_check", system_check, user=user)
    record_audit("job.started", job, actor=user, kind=job.kind)
    return job


@shared_task(name="site.system_check")
def system_check(job_id: int) -> dict:
    return run_job(job_id, _count_tables)


def _count_tables(run: JobRun) -> dict:
    tables = sorted(db.metadata.tables.values(), key=lambda t: t.name)
    counts: dict[str, int] = {}
    with force_locale(run.job_locale()):
        for done, table in enumerate(tables, start=1):
            counts[table.name] = db.session.scalar(select(func.count()).select_from(table)) or 0
            run.progress(
                100 * done / len(tables),
                gettext("Đã đếm %(done)d/%(total)d bảng", done=done, total=len(tables)),
            )
    return {"tables": counts}


@shared_task(name="site.reap_stale_jobs")
def reap_jobs() -> int:
    """Every minute (beat): jobs whose worker died are shown as failed, ready to retry."""
    with transaction():
        return reap_stale_jobs()


@shared_task(name="site.resend_undelivered")
def resend_undelivered_tasks() -> int:
    """Every five minutes (beat): messages the broker refused while it was down."""
    with transaction():
        return resend_undelivered()
