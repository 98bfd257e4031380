"""Two organisation administrators decide the same membership request at the same moment:
one decision stands, the other is told the request was already handled. (The sequential
case: test_roles.py::test_request_decided_only_once.)"""

from __future__ import annotations

import sqlalchemy as sa

from ecosystem.auth.models import MembershipStatus, OrgMembership
from ecosystem.core.audit import AuditEvent
from ecosystem.extensions import db
from tests.auth.support import Mailbox, flashes, separate_app
from tests.races import add_org, add_user, needs_row_locks, race, signed_in_clients


@needs_row_locks
def test_approve_and_refuse_at_once_decide_the_request_once(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            org = add_org("Viện Nghiên cứu Phát triển Huế", kind="research_institute")
            add_user("admin1@example.vn", org=org, role="admin")
            add_user("admin2@example.vn", org=org, role="admin")
            applicant = add_user("applicant@example.vn", org=org, status="pending")
            db.session.commit()
            link_id = db.session.scalar(
                sa.select(OrgMembership.id).where(OrgMembership.user_id == applicant.id)
            )
        (first,) = signed_in_clients(application, "admin1@example.vn", 1)
        (second,) = signed_in_clients(application, "admin2@example.vn", 1)
        mailbox = Mailbox(application.config["MAIL_FILE_DIR"])
        url = f"/memberships/{link_id}/decide"
        answers = race(
            [
                lambda: first.post(url, data={"decision": "approve"}),
                lambda: second.post(url, data={"decision": "refuse"}),
            ]
        )
        assert [getattr(a, "status_code", a) for a in answers] == [302, 302], answers
        shown = [m for c in (first, second) for m in flashes(c.get("/"))]
        assert "Yêu cầu này đã được xử lý." in shown
        with application.app_context():
            status = db.session.get(OrgMembership, link_id).status
            assert status in (MembershipStatus.active, MembershipStatus.refused)
            decisions = db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(
                    AuditEvent.action.in_(("membership.approved", "membership.refused"))
                )
            )
            assert decisions == 1
        assert len(mailbox.messages("applicant@example.vn")) == 1
