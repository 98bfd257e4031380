"""A job run by a real Celery worker on a real broker (CI sets CELERY_BROKER_URL to Redis).

Everything here is committed for real: the worker is another process with its own
database connection, so it cannot see a test transaction.
"""

import os
import subprocess
import sys
import time
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from ecosystem import create_app
from ecosystem.auth.models import User
from ecosystem.core.jobs import Job, JobState, reap_stale_jobs
from ecosystem.extensions import db
from ecosystem.matching.models import Match
from ecosystem.registry import imports
from ecosystem.registry.import_models import ImportBatch, ImportState
from ecosystem.registry.listing_operations import create_listing
from ecosystem.registry.models import ResearchField, TechnologyNeed
from ecosystem.site.tasks import start_system_check
from tests.conftest import make_config
from tests.races import add_org, add_user
from tests.registry.test_import_export import NEED_HEADER, _csv

BROKER = os.environ.get("CELERY_BROKER_URL")
pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not BROKER, reason="needs a broker: set CELERY_BROKER_URL (CI uses Redis)"),
]


@pytest.fixture
def worker_setup(tmp_path):
    # A database of the test's own (a private schema on PostgreSQL): what the worker
    # commits never reaches the tests that follow.
    base = os.environ.get("DATABASE_URL")
    schema = f"w_{uuid.uuid4().hex[:10]}" if base else None
    if base:
        admin = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'worker.db'}"
    queue = f"test-{uuid.uuid4().hex[:8]}"  # stale workers of other runs never take our tasks
    config = make_config(
        tmp_path,
        url,
        CELERY_BROKER_URL=BROKER,
        CELERY_TASK_ALWAYS_EAGER=False,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        MATCHING_QUEUE=queue,
    )
    app = create_app(config)
    with app.app_context():
        upgrade()
    app.config["WORKER_DATABASE_URL"] = url
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": BROKER,
        "ECOSYSTEM_INSTANCE": str(tmp_path),
        "LOG_FORMAT": "text",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ecosystem.celery_worker",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield app, worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if schema:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()


def _wait_for(app, job_id, timeout=60.0):
    deadline = time.monotonic() + timeout
    seen_progress = set()
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(Job, job_id)
            seen_progress.add(job.progress)
            if job.finished:
                return job, seen_progress
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout}s")


def test_system_check_job_runs_on_a_real_worker(worker_setup):
    app, worker = worker_setup
    with app.app_context():
        job = start_system_check()
        db.session.commit()
        job_id = job.id
    job, seen = _wait_for(app, job_id)
    output = ""
    if job.state is not JobState.succeeded:
        worker.terminate()
        output = worker.communicate(timeout=20)[0]
    assert job.state is JobState.succeeded, output
    assert job.progress == 100
    assert set(job.result["tables"]) >= {"users", "jobs", "audit_events"}
    assert job.result["tables"]["jobs"] >= 1
    with app.app_context():
        db.session.execute(sa.delete(Job).where(Job.id == job_id))
        db.session.commit()


def _field() -> None:
    """The taxonomy entry the listings need (committed rows stay between these tests)."""

    if db.session.get(ResearchField, "aquaculture") is None:
        db.session.add(ResearchField(code="aquaculture", name_vi="Thủy sản", name_en="Aq"))


def _start_worker(app, env):
    queue = app.config["CELERY_TASK_DEFAULT_QUEUE"]
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ecosystem.celery_worker", "worker"]
        + ["--pool", "solo", "--queues", queue, "--loglevel", "WARNING"]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_state(app, job_id, states, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(Job, job_id)
            if job.state in states:
                return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {states}")


def test_a_worker_killed_mid_import_leaves_a_failed_job_and_nothing_applied(
    worker_setup, monkeypatch
):
    """kill -9 of the worker while it applies an import: within the job timeout the job is
    failed (not "running" for an hour), no row was written, a redelivered message does
    nothing, and confirming again applies the rows exactly once."""

    app, worker = worker_setup
    worker.terminate()
    worker.wait(timeout=20)
    timeout = 4
    app.config["JOB_TIMEOUT_SECONDS"] = timeout
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["WORKER_DATABASE_URL"],
        CELERY_BROKER_URL=BROKER,
        ECOSYSTEM_INSTANCE=app.instance_path,
        LOG_FORMAT="text",
        JOB_TIMEOUT_SECONDS=str(timeout),
        JOB_HEARTBEAT_SECONDS="1",
    )
    rows = [
        [f"Nhu cầu {n}: cảm biến oxy cho ao tôm", "Cần đo oxy hòa tan", "aquaculture"]
        + ["6", "100.000.000", "300.000.000", "31/12/2030"]
        for n in range(4000)
    ]
    with app.app_context():
        _field()
        org = add_org("Công ty TNHH Thủy sản Tam Giang")
        user = add_user(f"kill9-{uuid.uuid4().hex[:6]}@example.vn", org=org)
        db.session.commit()
        batch = imports.start_import("need", "n.csv", _csv(NEED_HEADER, rows), user, org)
        db.session.commit()
        batch_id, validate_id, user_id, org_id = batch.id, batch.job_id, user.id, org.id
    first = _start_worker(app, env)
    try:
        assert _wait_state(app, validate_id, {JobState.succeeded}).state is JobState.succeeded
        with app.app_context():
            batch = db.session.get(ImportBatch, batch_id)
            apply_job = imports.confirm_import(batch, db.session.get(User, user_id))
            db.session.commit()
            apply_id = apply_job.id
        _wait_state(app, apply_id, {JobState.running})
        time.sleep(0.3)
    finally:
        first.kill()  # SIGKILL: no clean-up code of the worker runs
        first.wait(timeout=20)
    with app.app_context():
        assert db.session.get(Job, apply_id).state is JobState.running
    time.sleep(timeout + 1)
    with app.app_context():
        assert reap_stale_jobs() == 1  # what the beat task does every minute
        db.session.commit()
        job = db.session.get(Job, apply_id)
        assert job.state is JobState.failed
        assert "tiến trình xử lý ngừng hoạt động" in job.error
        count = sa.select(sa.func.count(TechnologyNeed.id)).where(
            TechnologyNeed.organisation_id == org_id
        )
        assert db.session.scalar(count) == 0
        assert db.session.get(ImportBatch, batch_id).state is ImportState.ready
    second = _start_worker(app, env)
    try:
        # The broker hands the dead job's message out again: it is not run.
        with app.app_context():
            imports.apply_import.apply_async(args=(apply_id, batch_id))
            batch = db.session.get(ImportBatch, batch_id)
            retry = imports.confirm_import(batch, db.session.get(User, user_id))
            db.session.commit()
            retry_id = retry.id
        assert _wait_state(app, retry_id, {JobState.succeeded, JobState.failed}).state is (
            JobState.succeeded
        )
        time.sleep(1)
        with app.app_context():
            assert db.session.scalar(count) == len(rows)
            assert db.session.get(Job, apply_id).state is JobState.failed
    finally:
        second.terminate()
        second.wait(timeout=20)


def test_index_tasks_go_to_the_one_matching_worker(worker_setup, tmp_path):
    """Two workers, as on two machines: the general one and the matching one. A new listing's
    index update runs on the matching worker only, so one copy of the index exists."""

    app, general = worker_setup
    general.terminate()
    general.wait(timeout=20)
    queue = app.config["CELERY_TASK_DEFAULT_QUEUE"]
    app.config["MATCHING_QUEUE"] = f"{queue}-matching"
    app.extensions["celery"].conf.task_routes = {
        name: {"queue": f"{queue}-matching"}
        for name in ("matching.update_records", "matching.rebuild", "matching.nightly_rebuild")
    }
    env = {
        **os.environ,
        "DATABASE_URL": app.config["WORKER_DATABASE_URL"],
        "CELERY_BROKER_URL": BROKER,
        "ECOSYSTEM_INSTANCE": app.instance_path,
        "LOG_FORMAT": "text",
    }
    logs = {name: tmp_path / f"{name}.log" for name in ("general", "matching")}
    workers = {
        name: subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ecosystem.celery_worker", "worker"]
            + ["--pool", "solo", "--queues", q, "--loglevel", "INFO", "-n", f"{name}@%h"]
            + ["--without-heartbeat", "--without-gossip", "--without-mingle"],
            env=env,
            stdout=logs[name].open("w"),
            stderr=subprocess.STDOUT,
        )
        for name, q in (("general", queue), ("matching", f"{queue}-matching"))
    }
    try:
        with app.app_context(), app.test_request_context():
            _field()
            uni = add_org("Trường Đại học Nông Lâm Huế", kind="university")
            firm = add_org("Công ty TNHH Thủy sản Phá Tam Giang")
            common = {"field_code": "aquaculture"}
            create_listing(
                "result",
                {
                    **common,
                    "organisation_id": uni.id,
                    "title": "Cảm biến oxy hòa tan cho ao tôm",
                    "summary": "Đo oxy hòa tan liên tục trong ao nuôi tôm",
                    "details": "",
                    "trl": 6,
                },
                None,
                publish=True,
            )
            create_listing(
                "need",
                {
                    **common,
                    "organisation_id": firm.id,
                    "title": "Cần cảm biến oxy cho ao tôm",
                    "problem": "Đo oxy hòa tan liên tục trong ao nuôi tôm thẻ",
                    "trl_wanted": 6,
                },
                None,
                publish=True,
            )
            db.session.commit()  # the index update is sent now, to the matching queue
            firm_id = firm.id
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with app.app_context():
                ours = sa.select(sa.func.count(Match.id)).where(
                    sa.or_(Match.source_org_id == firm_id, Match.target_org_id == firm_id)
                )
                if db.session.scalar(ours):
                    break
            time.sleep(0.2)
        else:
            raise AssertionError(
                "no proposal was computed: " + logs["matching"].read_text()[-2000:]
            )
    finally:
        for worker in workers.values():
            worker.terminate()
            worker.wait(timeout=20)
    # (Both banners list every task; "received" is logged by the worker that ran it.)
    assert "Task matching.update_records[" in logs["matching"].read_text()
    assert "Task matching.update_records[" not in logs["general"].read_text()
