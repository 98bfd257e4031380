"""Review through the pages: assignment, the invitation that hides the details, the
declaration, scores with bad input, the committee view — and a conflicted expert who has
no channel to the application (page, lists, review page, e-mail, notification)."""

from __future__ import annotations

import pytest

from ecosystem.core.notifications import Notification
from ecosystem.extensions import db
from ecosystem.workflow import reviews
from ecosystem.workflow.models import ApplicationState, AssignmentState, ReviewAssignment
from tests.auth.support import body
from tests.auth_helpers import login
from tests.conftest import html_text

S = ApplicationState
SECRET_TITLE = "Quy trình nuôi tôm bí mật"


@pytest.fixture
def reviewing(make_application, people):
    return make_application(
        org=people["_org"],
        state=S.under_review,
        title=SECRET_TITLE,
        summary="Nuôi tôm tuần hoàn, lọc sinh học.",
    )


@pytest.fixture
def expert(make_expert, make_org):
    lab = make_org(kind="research_institute")
    return make_expert(
        "PGS. Thẩm định",
        ["nuôi tôm", "lọc sinh học"],
        affiliations=[lab],
        groups=[(lab, ["Lọc sinh học cho ao tôm"])],
    )


def test_a_manager_assigns_a_suggested_expert_who_is_told_without_the_title(
    client, reviewing, expert, people, mailbox
):
    login(client, people["manager"])
    page = client.get(f"/fund/applications/{reviewing.id}/reviewers")
    assert "PGS. Thẩm định" in html_text(page) and "lọc sinh học" in html_text(page).lower()
    response = client.post(
        f"/fund/applications/{reviewing.id}/reviewers", data={"reviewer_id": expert.id}
    )
    assert response.status_code == 302
    assignment = db.session.scalars(
        db.select(ReviewAssignment).filter_by(reviewer_id=expert.id)
    ).one()
    message = mailbox.one(expert.email)
    assert SECRET_TITLE not in body(message) and SECRET_TITLE not in message["Subject"]
    assert f"/fund/reviews/{assignment.id}" in body(message)
    note = db.session.scalars(db.select(Notification).filter_by(user_id=expert.id)).one()
    assert SECRET_TITLE not in str(note.params)


def test_the_expert_declares_then_scores(client, reviewing, expert, people):
    assignment = reviews.assign(reviewing, expert, people["manager"])
    login(client, expert)
    invited = html_text(client.get(f"/fund/reviews/{assignment.id}"))
    assert "Cam kết về xung đột lợi ích" in invited and SECRET_TITLE not in invited
    assert SECRET_TITLE not in html_text(client.get("/fund/reviews"))
    assert client.get(f"/fund/applications/{reviewing.id}").status_code == 404
    client.post(f"/fund/reviews/{assignment.id}/declare", data={"action": "declare_none"})
    assert SECRET_TITLE in html_text(client.get(f"/fund/reviews/{assignment.id}"))
    bad = client.post(
        f"/fund/reviews/{assignment.id}",
        data={"action": "save", "score_novelty": "9", "score_impact": "3", "overall": "Tốt"},
    )
    assert bad.status_code == 422 and "từ 1 đến 5" in html_text(bad)
    db.session.refresh(assignment)
    assert assignment.scores == {} and assignment.overall_comment == ""
    client.post(
        f"/fund/reviews/{assignment.id}",
        data={"action": "submit", "score_novelty": "4", "score_impact": "5", "overall": "Khả thi"},
    )
    db.session.refresh(assignment)
    assert assignment.state is AssignmentState.submitted and assignment.scores == {
        "novelty": 4,
        "impact": 5,
    }


def test_a_conflicted_expert_has_no_channel(
    client, reviewing, expert, people, make_member, mailbox
):
    assignment = reviews.assign(reviewing, expert, people["manager"])
    login(client, expert)
    client.post(
        f"/fund/reviews/{assignment.id}/declare",
        data={"action": "declare_conflict", "detail": "Họ hàng"},
    )
    db.session.refresh(assignment)
    assert assignment.state is AssignmentState.declined
    assert client.get(f"/fund/reviews/{assignment.id}").status_code == 404
    assert client.get(f"/fund/applications/{reviewing.id}").status_code == 404
    assert SECRET_TITLE not in html_text(client.get("/fund/reviews"))
    assert SECRET_TITLE not in html_text(client.get("/fund/applications"))
    submit = client.post(
        f"/fund/reviews/{assignment.id}", data={"action": "submit", "score_novelty": "5"}
    )
    assert submit.status_code == 404
    # Later notices about the application do not reach them either.
    mailbox.clear()
    reviews.tell_reviewer(reviewing, expert, "fund.review_assigned", assignment.id)
    assert mailbox.messages(expert.email) == []
    # Nor does a manager's attempt to invite them again.
    login(client, people["manager"])
    again = client.post(
        f"/fund/applications/{reviewing.id}/reviewers", data={"reviewer_id": expert.id}
    )
    assert again.status_code == 422 and "xung đột lợi ích" in html_text(again)


def test_another_expert_cannot_open_someone_elses_review(
    client, reviewing, expert, make_expert, make_org, people
):
    assignment = reviews.assign(reviewing, expert, people["manager"])
    other = make_expert("TS. Khác", ["lúa"], affiliations=[make_org()])
    login(client, other)
    assert client.get(f"/fund/reviews/{assignment.id}").status_code == 404
    assert (
        client.post(
            f"/fund/reviews/{assignment.id}/declare", data={"action": "declare_none"}
        ).status_code
        == 404
    )


def test_the_committee_view(client, reviewing, expert, people):
    assignment = reviews.assign(reviewing, expert, people["manager"])
    reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_none", expert)
    reviews.ASSIGNMENT_WORKFLOW.apply(
        assignment, "submit", expert, scores={"novelty": 4, "impact": 1}
    )
    login(client, people["manager"])
    page = html_text(client.get(f"/fund/calls/{reviewing.call_id}/committee"))
    assert SECRET_TITLE in page and "3,00" in page and "1/1" in page
    login(client, people["applicant"])
    assert client.get(f"/fund/calls/{reviewing.call_id}/committee").status_code == 403


def test_an_unknown_review_action_is_refused(client, reviewing, expert, people):
    assignment = reviews.assign(reviewing, expert, people["manager"])
    reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_none", expert)
    login(client, expert)
    response = client.post(
        f"/fund/reviews/{assignment.id}", data={"action": "delete", "score_moi": "5"}
    )
    assert response.status_code == 400
    db.session.refresh(assignment)
    assert assignment.state is AssignmentState.accepted
