"""A proposal's actions sent twice (a double click, a resent form, both tabs): they apply
once, and the second is refused with a message that says why."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ecosystem.auth.models import User
from ecosystem.core.audit import AuditEvent
from ecosystem.core.errors import UserError
from ecosystem.extensions import db
from ecosystem.matching import operations as ops
from ecosystem.matching.models import Match, MatchState
from tests.auth.support import flashes, separate_app
from tests.matching_web.test_concurrency import _world
from tests.matching_web.test_flow import audit, introduced, reload, sign_in  # noqa: F401
from tests.races import needs_row_locks, race

TODAY = dt.date.today()


def test_the_same_deal_reported_twice_is_recorded_once(client, world, introduced, mailbox):  # noqa: F811
    sign_in(client, world.users["researcher"])
    form = {"contract_type": "licence", "value": "250.000.000", "date": TODAY.strftime("%d/%m/%Y")}
    client.post(f"/matches/{introduced.id}/deal", data=form)
    response = client.post(f"/matches/{introduced.id}/deal", data=form, follow_redirects=True)
    assert "Hợp đồng này đã được ghi nhận." in flashes(response)
    match = reload(introduced)
    assert len(audit("match.deal_reported", match)) == 1
    assert len(mailbox.messages(world.users["enterprise"].email)) == 1
    # A correction is a different report, and is recorded.
    client.post(f"/matches/{introduced.id}/deal", data={**form, "value": "300.000.000"})
    assert len(audit("match.deal_reported", reload(introduced))) == 2


def _at_once(application, match_id: int, user_id: int, action) -> list[str | None]:
    """``action(match, user)`` twice at the same moment, each in a request of its own; the
    refusal message of each (None when it applied)."""

    def one() -> str | None:
        with application.test_request_context():
            match, user = db.session.get(Match, match_id), db.session.get(User, user_id)
            try:
                action(match, user)
            except UserError as error:
                db.session.rollback()
                return error.message
            db.session.commit()
            return None

    return race([one, one])


def _count(action: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action)
    )


@needs_row_locks
def test_a_double_click_on_interest_counts_once(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            match_id, source_user, _target_user = _world()
        outcomes = _at_once(application, match_id, source_user, ops.interest)
        assert sorted(outcomes, key=lambda m: m or "") == [
            None,
            "Tổ chức của bạn đã bày tỏ quan tâm rồi.",
        ]
        with application.app_context():
            assert db.session.get(Match, match_id).state is MatchState.interested
            assert _count("match.interest") == 1


@needs_row_locks
def test_a_deal_sent_twice_at_once_is_recorded_once(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            match_id, source_user, _target_user = _world()
            match = db.session.get(Match, match_id)
            now = dt.datetime.now(dt.UTC)
            match.source_interested_at = match.target_interested_at = match.introduced_at = now
            match.state = MatchState.introduced
            db.session.commit()
        outcomes = _at_once(
            application,
            match_id,
            source_user,
            lambda m, u: ops.report_deal(m, u, "licence", 250_000_000, TODAY),
        )
        assert sorted(outcomes, key=lambda m: m or "") == [None, "Hợp đồng này đã được ghi nhận."]
        with application.app_context():
            assert _count("match.deal_reported") == 1
