import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from ecosystem.core.audit import AppendOnlyError, AuditEvent, record_audit
from ecosystem.core.jobs import JobState
from ecosystem.extensions import db
from ecosystem.site.tasks import start_system_check


def test_operation_writes_audit_row_in_same_transaction(db_session, make_user):
    admin = make_user()
    job = start_system_check(admin)
    db.session.flush()
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "job.started")).one()
    assert (row.object_type, row.object_id) == ("jobs", str(job.id))
    assert row.actor_id == admin.id and row.actor_label == admin.email
    assert row.summary == {"kind": "system_check"}
    assert row.created_at.tzinfo is not None


def test_audit_row_disappears_with_rolled_back_change(db_session, make_user):
    user = make_user()
    with db.session.begin_nested() as nested:
        record_audit("test.thing", user, before={"a": 1}, after={"a": 2})
        db.session.flush()
        nested.rollback()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_audit_events_cannot_be_changed_through_the_orm(db_session, make_user):
    row = record_audit("test.thing", make_user())
    db.session.flush()
    row.action = "forged"
    with pytest.raises(AppendOnlyError):
        db.session.flush()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"],
)
def test_audit_events_are_append_only_in_the_database(db_session, make_user, statement):
    record_audit("test.thing", make_user())
    db.session.flush()
    with pytest.raises(DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text(statement))


def test_summary_is_plain_json(db_session, make_user):

    row = record_audit(
        "x", make_user(), when=dt.date(2026, 1, 2), state=JobState.failed, tags={"a"}
    )
    assert row.summary == {"when": "2026-01-02", "state": "failed", "tags": ["a"]}
