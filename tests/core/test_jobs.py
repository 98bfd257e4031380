import datetime as dt
import os
import time

import pytest
import sqlalchemy as sa
from celery import shared_task

from ecosystem.core.jobs import Job, JobFailed, JobState, run_job, start_job
from ecosystem.core.models import utcnow
from ecosystem.core.tasks import enqueue_after_commit
from ecosystem.core.uow import atomic
from ecosystem.extensions import db
from ecosystem.site.tasks import reap_jobs, start_system_check
from tests.auth.support import separate_app
from tests.auth_helpers import login

SENT: list[int] = []


@shared_task(name="tests.record_sent")
def record_sent(value: int) -> None:
    SENT.append(value)


@shared_task(name="tests.failing_job")
def failing_job(job_id: int, user_error: bool) -> dict:
    def body(run):
        run.progress(40, "half-way")
        db.session.add(Job(kind="should-be-rolled-back"))
        db.session.flush()
        if user_error:
            raise JobFailed("Tệp không đọc được: dòng 3 thiếu mã số thuế")
        raise ValueError("boom")

    return run_job(job_id, body)


def test_tasks_wait_for_commit_and_vanish_on_rollback(db_session):
    SENT.clear()
    enqueue_after_commit(record_sent, 1)
    assert SENT == []
    db.session.rollback()
    assert SENT == []
    enqueue_after_commit(record_sent, 2)
    db.session.commit()
    assert SENT == [2]


def test_a_released_savepoint_does_not_send_its_tasks_before_the_commit(db_session):
    """``atomic()`` is a savepoint; SQLAlchemy reports its release as a commit. The tasks
    queued inside it must still wait for the real commit, and die with a rollback."""

    SENT.clear()
    with atomic():
        enqueue_after_commit(record_sent, 3)
    assert SENT == []
    db.session.rollback()
    assert SENT == []
    with atomic():
        enqueue_after_commit(record_sent, 4)
    assert SENT == []
    db.session.commit()
    assert SENT == [4]


def test_job_reports_progress_and_result_in_process(db_session, make_user):
    user = make_user()
    job = start_system_check(user)
    job_id = job.id
    db.session.commit()  # the eager task runs now, in its own app context
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.state is JobState.succeeded
    assert job.progress == 100
    assert job.result["tables"]["users"] >= 1
    assert job.message.startswith("Đã đếm")
    assert job.started_at <= job.finished_at


def test_failed_job_keeps_readable_message_and_rolls_back_its_work(db_session):
    for user_error, expected in [
        (True, "Tệp không đọc được: dòng 3 thiếu mã số thuế"),
        # An unexpected exception: the log keeps it, the user reads what to do.
        (
            False,
            "Công việc gặp lỗi ngoài ý muốn và đã dừng; không có thay đổi nào được ghi. "
            "Hãy thử lại; nếu lỗi lặp lại, báo quản trị viên mã công việc #{id}.",
        ),
    ]:
        job = start_job("test", failing_job, user_error)
        job_id = job.id
        db.session.commit()
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job.state is JobState.failed
        assert job.error == expected.format(id=job_id)
        assert "ValueError" not in job.error and "boom" not in job.error
        assert job.progress == 40  # the last committed report stays visible
    leftovers = db.session.scalar(
        sa.select(sa.func.count()).where(Job.kind == "should-be-rolled-back")
    )
    assert leftovers == 0


def test_job_page_polls_until_finished(client, db_session, make_user):

    user = make_user()
    job = start_job("test", record_sent)  # not a job body: stays queued
    job.created_by_id = user.id
    db.session.info.pop("ecosystem_pending_tasks", None)
    db.session.commit()
    login(client, user)
    page = client.get(f"/jobs/{job.id}")
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.get_data(as_text=True)
    status = client.get(f"/jobs/{job.id}/status").get_json()
    assert status["state"] == "queued" and status["progress"] == 0


# --- supervision: heartbeat, timeout, no second run -------------------------------------

BEATS: dict[str, object] = {}


@shared_task(name="tests.slow_job")
def slow_job(job_id: int, seconds: float) -> dict:
    def body(run):
        # One long stretch with no progress report: only the side thread can beat.
        time.sleep(seconds)
        with db.engine.connect() as other:
            BEATS["seen"] = other.execute(
                sa.select(Job.__table__.c.heartbeat_at).where(Job.__table__.c.id == job_id)
            ).scalar_one()
        return {"slept": seconds}

    return run_job(job_id, body)


@pytest.mark.skipif(
    "postgresql" not in os.environ.get("DATABASE_URL", ""),
    reason="the side-thread beat needs a second writer: PostgreSQL (set DATABASE_URL)",
)
def test_a_long_body_keeps_beating_from_its_side_thread(tmp_path):

    with (
        separate_app(tmp_path, JOB_HEARTBEAT_SECONDS=0.1) as application,
        application.app_context(),
    ):
        job = start_job("test", slow_job, 0.6)
        db.session.commit()  # the eager task runs now
        db.session.expire_all()
        job = db.session.get(Job, job.id)
        assert job.state is JobState.succeeded
        # The beat seen at the end of the body is well after the claim.
        assert (BEATS["seen"] - job.started_at).total_seconds() >= 0.3


def _running_job(last_beat_seconds_ago: float, user=None) -> Job:
    job = Job(
        kind="test",
        state=JobState.running,
        created_by_id=getattr(user, "id", None),
        started_at=utcnow() - dt.timedelta(hours=1),
        heartbeat_at=utcnow() - dt.timedelta(seconds=last_beat_seconds_ago),
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_a_job_that_stopped_beating_is_failed_by_the_beat_task(app, db_session):
    timeout = app.config["JOB_TIMEOUT_SECONDS"]
    dead = _running_job(timeout + 5)
    alive = _running_job(timeout - 60)
    assert reap_jobs.run() == 1
    db.session.expire_all()
    assert db.session.get(Job, alive.id).state is JobState.running
    dead = db.session.get(Job, dead.id)
    assert dead.state is JobState.failed and dead.finished_at is not None
    assert dead.error.startswith("Công việc đã dừng vì tiến trình xử lý ngừng hoạt động")
    # A redelivered message for it is not run: the job is no longer queued.
    assert slow_job.run(dead.id, 0) == {"state": "skipped"}


def test_the_job_page_shows_a_dead_job_as_failed_in_the_users_language(
    app, client, db_session, make_user
):

    user = make_user(locale="en")
    dead = _running_job(app.config["JOB_TIMEOUT_SECONDS"] + 5, user)
    login(client, user)
    status = client.get(f"/jobs/{dead.id}/status").get_json()
    assert status["state"] == "failed"
    assert status["error"].startswith("The job stopped because the worker")
    db.session.expire_all()
    assert db.session.get(Job, dead.id).state is JobState.failed
