import sqlalchemy as sa
from celery import shared_task

from ecosystem.core.jobs import Job, JobFailed, JobState, run_job, start_job
from ecosystem.core.tasks import enqueue_after_commit
from ecosystem.extensions import db
from ecosystem.site.tasks import start_system_check

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
        (False, "ValueError: boom"),
    ]:
        job = start_job("test", failing_job, user_error)
        job_id = job.id
        db.session.commit()
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job.state is JobState.failed
        assert job.error == expected
        assert job.progress == 40  # the last committed report stays visible
    leftovers = db.session.scalar(
        sa.select(sa.func.count()).where(Job.kind == "should-be-rolled-back")
    )
    assert leftovers == 0


def test_job_page_polls_until_finished(client, db_session, make_user):
    from tests.auth_helpers import login

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
