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
from ecosystem.core.jobs import Job, JobState
from ecosystem.extensions import db
from ecosystem.site.tasks import start_system_check
from tests.conftest import make_config

BROKER = os.environ.get("CELERY_BROKER_URL")
pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not BROKER, reason="needs a broker: set CELERY_BROKER_URL (CI uses Redis)"),
]


@pytest.fixture
def worker_setup(tmp_path):
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'worker.db'}"
    queue = f"test-{uuid.uuid4().hex[:8]}"  # stale workers of other runs never take our tasks
    config = make_config(
        tmp_path,
        url,
        CELERY_BROKER_URL=BROKER,
        CELERY_TASK_ALWAYS_EAGER=False,
        CELERY_TASK_DEFAULT_QUEUE=queue,
    )
    app = create_app(config)
    with app.app_context():
        if url.startswith("sqlite"):
            upgrade()
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
    yield app, worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


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
