"""The unit of work: one commit at the end of a successful request, nothing of a refused
one, and in-process tasks only after the response was sent."""

from __future__ import annotations

import pytest
from flask import Response, g
from sqlalchemy import func, select

from ecosystem.core.audit import AuditEvent, record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.tasks import call_after_commit
from ecosystem.core.uow import AFTER_RESPONSE, _Body, attempt, finish_request, housekeeping
from ecosystem.extensions import db


def audit_count(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action))


def test_a_user_error_after_a_write_leaves_nothing_written(app, db_session):
    with app.test_request_context("/", method="POST"):
        record_audit("test.kept")

        def refused() -> None:
            record_audit("test.undone")
            db.session.flush()
            raise UserError("không được")

        assert attempt(refused) is False
        finish_request(Response(status=302))
        db.session.expire_all()
        assert audit_count("test.undone") == 0
        assert audit_count("test.kept") == 1


@pytest.mark.parametrize("status", [400, 403, 404, 422, 500])
def test_an_error_response_rolls_back_the_whole_request(app, db_session, status):
    with app.test_request_context("/", method="POST"):
        record_audit("test.failed_request")
        db.session.flush()
        finish_request(Response(status=status))
        assert audit_count("test.failed_request") == 0


def test_a_successful_response_commits_once_and_keeps_housekeeping(app, db_session):
    with app.test_request_context("/", method="POST"):
        housekeeping(lambda: record_audit("test.housekeeping"))
        record_audit("test.work")
        finish_request(Response(status=200))
        db.session.rollback()  # nothing left to undo: it was committed
        assert audit_count("test.work") == 1
        assert audit_count("test.housekeeping") == 1


def test_housekeeping_is_written_even_when_the_request_fails(app, db_session):
    with app.test_request_context("/", method="POST"):
        housekeeping(lambda: record_audit("test.housekeeping_on_error"))
        record_audit("test.rejected_work")
        finish_request(Response(status=422))
        db.session.rollback()
        assert audit_count("test.housekeeping_on_error") == 1
        assert audit_count("test.rejected_work") == 0


def test_in_process_tasks_wait_until_the_body_is_written(app, db_session):

    ran: list[str] = []
    with app.test_request_context("/", method="POST") as ctx:
        ctx.request.environ[AFTER_RESPONSE] = callbacks = []
        call_after_commit(ran.append, "task")
        finish_request(Response("page", status=200))
        assert ran == []  # committed, but the response has not been sent yet
        assert not g.get("_deferred_tasks")
    body = _Body([b"pa", b"ge"], callbacks)
    chunks = iter(body)
    assert next(chunks) == b"pa" and ran == []
    assert next(chunks) == b"ge" and ran == []  # the last chunk is being written
    assert list(chunks) == [] and ran == ["task"]  # written: now the task runs, once
    body.close()
    assert ran == ["task"]


def test_a_rolled_back_request_runs_none_of_its_tasks(app, db_session):
    ran: list[str] = []
    with app.test_request_context("/", method="POST"):
        call_after_commit(ran.append, "task")
        response = finish_request(Response(status=422))
    response.close()
    assert ran == []
