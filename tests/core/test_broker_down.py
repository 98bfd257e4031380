"""Redis (the broker and the limiter's store) is down: pages still answer, nothing is a 500,
and the follow-up work of a write is kept and sent once the broker is back."""

from __future__ import annotations

import contextlib
import os
import time

import sqlalchemy as sa
from celery import _state as celery_state

from ecosystem.auth.models import User
from ecosystem.core.tasks import UndeliveredTask
from ecosystem.extensions import db
from ecosystem.site.tasks import resend_undelivered_tasks
from tests.auth.support import Mailbox, separate_app
from tests.builders import PASSWORD

DEAD = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


@contextlib.contextmanager
def dead_broker_app(tmp_path, **extra):
    """An app whose broker is down, as Celery's default app for the test: shared tasks sent
    from it must not reach the session app's broker (CI's PostgreSQL pass has a real one).
    On the embedded database in both passes: what is measured is the broker."""
    previous = celery_state.default_app
    saved = {k: os.environ.pop(k) for k in ("DATABASE_URL", "CELERY_BROKER_URL") if k in os.environ}
    with separate_app(
        tmp_path, CELERY_BROKER_URL=DEAD, CELERY_TASK_ALWAYS_EAGER=False, **extra
    ) as application:
        application.extensions["celery"].set_default()
        try:
            yield application
        finally:
            os.environ.update(saved)
            if previous is not None:
                previous.set_default()


def test_sign_up_with_redis_down_keeps_the_mail_and_sends_it_later(tmp_path):
    with dead_broker_app(
        tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=DEAD
    ) as application:
        client = application.test_client()
        started = time.monotonic()
        response = client.post(
            "/auth/register",
            data={
                "full_name": "Lê Văn Bền",
                "email": "ben@hue.edu.vn",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        )
        elapsed = time.monotonic() - started
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert elapsed < 10  # refused quickly, not after minutes of retries
        mailbox = Mailbox(application.config["MAIL_FILE_DIR"])
        with application.app_context():
            assert db.session.scalar(sa.select(User.id).where(User.email == "ben@hue.edu.vn"))
            kept = db.session.scalars(sa.select(UndeliveredTask)).all()
            assert [k.name for k in kept] == ["core.deliver_mail"]
            assert mailbox.messages() == []
            # The broker is back (here: tasks run in-process): the beat task sends it.
            celery = application.extensions["celery"]
            celery.conf.task_always_eager = True
            assert resend_undelivered_tasks.run() == 1
            assert db.session.scalars(sa.select(UndeliveredTask)).all() == []
        assert mailbox.one("ben@hue.edu.vn")["Subject"] == "Xác nhận địa chỉ e-mail"


def test_while_the_broker_stays_down_the_kept_messages_stay(tmp_path):
    with dead_broker_app(tmp_path) as application:
        client = application.test_client()
        client.post(
            "/auth/reset", data={"email": "nobody@hue.edu.vn"}
        )  # no mail for an unknown address: nothing kept
        with application.app_context():
            db.session.add(
                UndeliveredTask(
                    name="core.deliver_mail",
                    args=["a@hue.edu.vn", "Tiêu đề", "Nội dung"],
                    kwargs={},
                )
            )
            db.session.commit()
            assert resend_undelivered_tasks.run() == 0
            assert len(db.session.scalars(sa.select(UndeliveredTask)).all()) == 1
