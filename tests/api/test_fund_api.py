"""The fund in the JSON API: public calls, the caller's applications, the expert's own
review assignments; a conflicted reviewer reaches nothing; submitting an own draft."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.workflow import conflicts, reviews
from ecosystem.workflow.models import ApplicationState, CallState
from tests.api.conftest import bearer

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
HUE = ZoneInfo("Asia/Ho_Chi_Minh")
MISSING = 2**31 - 1
SECRET = "Du an XJ-9"  # ASCII, so a search of the raw response text cannot miss it


def _past_call(make_call, **fields):
    now = utcnow()
    return make_call(
        opens_at=now - dt.timedelta(days=60), closes_at=now - dt.timedelta(days=30), **fields
    )


def test_public_calls_open_first_then_past_ones_and_never_drafts(
    client, make_call, make_platform_user, make_token
):
    open_call = make_call(title_vi="Đợt đang mở")
    _past_call(make_call, state=CallState.decided, title_vi="Đợt đã quyết định")
    closed = _past_call(make_call, state=CallState.closed, title_vi="Đợt đã đóng")
    draft = make_call(state=CallState.draft, title_vi="Đợt nháp")
    manager = bearer(make_token(make_platform_user("fund_manager")))
    db.session.commit()

    body = client.get("/api/v1/calls").get_json()
    titles = [c["title_vi"] for c in body["items"]]
    assert titles == ["Đợt đang mở", "Đợt đã đóng", "Đợt đã quyết định"]
    assert (body["total"], body["page"]) == (3, 1)
    # Not even the fund's own token lists a draft: the API is the public read.
    assert "Đợt nháp" not in [
        c["title_vi"] for c in client.get("/api/v1/calls", headers=manager).get_json()["items"]
    ]
    assert client.get(f"/api/v1/calls/{draft.id}", headers=manager).status_code == 404
    assert client.get(f"/api/v1/calls/{draft.id}").get_json() == (
        client.get(f"/api/v1/calls/{MISSING}").get_json()
    )

    detail = client.get(f"/api/v1/calls/{open_call.id}").get_json()
    assert (detail["state"], detail["accepting"]) == ("open", True)
    assert detail["rubric"][0]["key"] == "novelty"
    assert client.get(f"/api/v1/calls/{closed.id}").get_json()["accepting"] is False
    past = client.get("/api/v1/calls?state=closed").get_json()["items"]
    assert [c["id"] for c in past] == [closed.id]
    refused = client.get("/api/v1/calls?state=draft")
    assert refused.status_code == 422 and "state" in refused.get_json()["error"]["fields"]
    paged = client.get("/api/v1/calls?per_page=1&page=2").get_json()
    assert [c["title_vi"] for c in paged["items"]] == ["Đợt đã đóng"] and paged["total"] == 3


def test_amounts_are_whole_dong_and_datetimes_iso_8601_utc(
    client, make_call, make_application, people, make_token
):
    call = make_call(
        state=CallState.closed,
        budget=6_000_000_000,
        opens_at=dt.datetime(2026, 1, 5, 8, 0, tzinfo=HUE),
        closes_at=dt.datetime(2026, 2, 1, 0, 0, tzinfo=HUE),
    )
    application = make_application(
        call, org=people["_org"], state=ApplicationState.submitted, requested_amount=1_234_567_891
    )
    token = make_token(people["applicant"])
    db.session.commit()

    raw = client.get(f"/api/v1/calls/{call.id}").get_data(as_text=True)
    detail = client.get(f"/api/v1/calls/{call.id}").get_json()
    assert detail["budget"] == 6_000_000_000 and type(detail["budget"]) is int
    assert '"budget":6000000000' in raw.replace(" ", "")  # a JSON integer, not "6.000.000.000 ₫"
    # 08:00 in Huế is 01:00 UTC; midnight in Huế is 17:00 UTC the day before.
    assert detail["opens_at"] == "2026-01-05T01:00:00Z"
    assert detail["closes_at"] == "2026-01-31T17:00:00Z"
    assert ISO_UTC.match(detail["created_at"])

    own = client.get(f"/api/v1/applications/{application.id}", headers=bearer(token)).get_json()
    assert own["requested_amount"] == 1_234_567_891 and type(own["requested_amount"]) is int
    assert all(
        type(line[k]) is int
        for line in own["budget_lines"]
        for k in ("fund_amount", "cofunding_amount")
    )
    assert ISO_UTC.match(own["submitted_at"]) and ISO_UTC.match(own["updated_at"])


def test_applicants_see_their_own_organisations_applications_only(
    client, make_call, make_application, people, make_token
):
    call, other_call = make_call(), make_call(title_vi="Đợt khác")
    submitted = make_application(call, org=people["_org"], state=ApplicationState.submitted)
    draft = make_application(call, org=people["_org"], title="Bản nháp của chúng tôi")
    elsewhere = make_application(call, state=ApplicationState.submitted, title=SECRET)
    elsewhere_draft = make_application(call, title=SECRET)
    applicant = bearer(make_token(people["applicant"]))
    outsider = bearer(make_token(people["outsider"]))
    db.session.commit()

    listed = client.get("/api/v1/applications", headers=applicant)
    assert listed.status_code == 200
    assert {a["id"] for a in listed.get_json()["items"]} == {submitted.id, draft.id}
    assert SECRET not in listed.get_data(as_text=True)
    assert listed.get_json()["items"][0]["organisation_id"] == people["_org"].id
    missing = client.get(f"/api/v1/applications/{MISSING}", headers=applicant)
    for other in (elsewhere, elsewhere_draft):
        response = client.get(f"/api/v1/applications/{other.id}", headers=applicant)
        assert response.status_code == 404 and response.get_json() == missing.get_json()
    assert client.get(f"/api/v1/applications/{draft.id}", headers=applicant).status_code == 200

    assert client.get("/api/v1/applications", headers=outsider).get_json()["items"] == []
    assert client.get(f"/api/v1/applications/{submitted.id}", headers=outsider).status_code == 404
    by_call = client.get(f"/api/v1/applications?call={other_call.id}", headers=applicant)
    assert by_call.get_json()["total"] == 0
    # A session is not a token: without one the caller's records are not served at all.
    assert client.get("/api/v1/applications").status_code == 401
    assert client.get(f"/api/v1/applications/{submitted.id}").status_code == 401
    assert client.get("/api/v1/reviews").status_code == 401


def _under_review(make_application, people, reviewer, *, declare: bool = True):
    application = make_application(
        org=people["_org"], state=ApplicationState.under_review, title=SECRET, summary=SECRET
    )
    assignment = reviews.assign(application, reviewer, people["manager"])
    if declare:
        reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_none", reviewer)
    return application, assignment


def _conflict_declared(application, assignment, reviewer):
    reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_conflict", reviewer, detail="Họ hàng")


def _conflict_found_later(application, assignment, reviewer):
    # The registry learnt something after the expert had declared none (the assignment
    # itself stays "accepted"): the record of the conflict alone must close every path.
    conflicts.record(application, reviewer, [conflicts.Conflict("same_org", "Cùng tổ chức")])


@pytest.mark.parametrize("conflict", [_conflict_declared, _conflict_found_later])
def test_a_conflicted_reviewer_gets_nothing(client, make_application, people, make_token, conflict):
    reviewer = people["reviewer"]
    application, assignment = _under_review(make_application, people, reviewer)
    headers = bearer(make_token(reviewer))
    db.session.commit()
    before = client.get(f"/api/v1/applications/{application.id}", headers=headers)
    assert before.status_code == 200 and before.get_json()["title"] == SECRET  # the test can fail

    conflict(application, assignment, reviewer)
    db.session.commit()
    missing_application = client.get(f"/api/v1/applications/{MISSING}", headers=headers)
    missing_review = client.get(f"/api/v1/reviews/{MISSING}", headers=headers)
    answers = {
        f"/api/v1/applications/{application.id}": missing_application,
        f"/api/v1/reviews/{assignment.id}": missing_review,
    }
    for url, missing in answers.items():
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and response.get_json() == missing.get_json()
    for url in (
        "/api/v1/applications",
        f"/api/v1/applications?call={application.call_id}",
        "/api/v1/reviews",
    ):
        response = client.get(url, headers=headers)
        assert response.get_json()["items"] == [] and SECRET not in response.get_data(as_text=True)
    refused = client.post(f"/api/v1/applications/{application.id}/submit", headers=headers)
    assert refused.status_code == 404


def test_an_invited_reviewer_sees_the_number_and_the_call_not_the_title(
    client, make_application, people, make_token, make_platform_user
):
    reviewer = people["reviewer"]
    application, assignment = _under_review(make_application, people, reviewer, declare=False)
    headers = bearer(make_token(reviewer))
    colleague = bearer(make_token(make_platform_user("reviewer")))
    db.session.commit()

    listed = client.get("/api/v1/reviews", headers=headers)
    one = client.get(f"/api/v1/reviews/{assignment.id}", headers=headers)
    for response in (listed, one):
        assert response.status_code == 200 and SECRET not in response.get_data(as_text=True)
    item = listed.get_json()["items"][0]
    assert item == one.get_json()
    assert (item["application_id"], item["call_id"], item["state"]) == (
        application.id,
        application.call_id,
        "invited",
    )
    assert item["application_title"] is None and item["application_summary"] is None
    assert client.get(f"/api/v1/applications/{application.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/applications", headers=headers).get_json()["items"] == []
    # Someone else's assignment answers like a missing one.
    assert client.get(f"/api/v1/reviews/{assignment.id}", headers=colleague).status_code == 404
    assert client.get("/api/v1/reviews", headers=colleague).get_json()["items"] == []

    reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_none", reviewer)
    db.session.commit()
    opened = client.get(f"/api/v1/reviews/{assignment.id}", headers=headers).get_json()
    assert (opened["state"], opened["application_title"]) == ("accepted", SECRET)
    assert ISO_UTC.match(opened["declared_at"])
    assert client.get(f"/api/v1/applications/{application.id}", headers=headers).status_code == 200


def test_submitting_an_own_draft(client, make_application, people, make_token, make_platform_user):
    draft = make_application(org=people["_org"])
    writer = bearer(make_token(people["applicant"]))
    reader = bearer(make_token(people["applicant"], can_write=False))
    manager = bearer(make_token(make_platform_user("fund_manager")))
    outsider = bearer(make_token(people["outsider"]))
    db.session.commit()
    url = f"/api/v1/applications/{draft.id}/submit"

    assert client.post(url).status_code == 401
    assert client.post(url, headers=reader).status_code == 403
    assert client.post(url, headers=outsider).status_code == 404
    # The fund sees the draft but may not submit it for the applicant.
    assert client.post(url, headers=manager).status_code == 403
    db.session.refresh(draft)
    assert draft.state is ApplicationState.draft

    response = client.post(url, headers=writer)
    assert response.status_code == 200
    body = response.get_json()
    assert body["state"] == "submitted" and ISO_UTC.match(body["submitted_at"])
    again = client.post(url, headers={**writer, "Accept-Language": "en"})
    assert again.status_code == 422
    assert (
        again.get_json()["error"]["message"] == "This action is not possible in the current state."
    )


def test_a_refused_submission_names_the_field_and_changes_nothing(
    client, make_call, make_application, people, make_token
):
    too_much = make_application(org=people["_org"], requested_amount=2_000_000_000)
    late = make_application(_past_call(make_call), org=people["_org"])
    headers = {**bearer(make_token(people["applicant"])), "Accept-Language": "en"}
    db.session.commit()

    refused = client.post(f"/api/v1/applications/{too_much.id}/submit", headers=headers)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert set(error["fields"]) == {"requested_amount"} and error["message"].startswith(
        "The requested amount"
    )
    after_close = client.post(f"/api/v1/applications/{late.id}/submit", headers=headers)
    assert after_close.status_code == 422
    assert "closed" in after_close.get_json()["error"]["message"]
    for application in (too_much, late):
        db.session.refresh(application)
        assert application.state is ApplicationState.draft and application.submitted_at is None


def test_openapi_document_lists_the_fund(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    for path in (
        "/api/v1/calls",
        "/api/v1/calls/{item_id}",
        "/api/v1/applications",
        "/api/v1/applications/{item_id}",
        "/api/v1/applications/{item_id}/submit",
        "/api/v1/reviews",
        "/api/v1/reviews/{item_id}",
    ):
        assert path in paths, path
    assert "security" not in paths["/api/v1/calls"]["get"]
    assert paths["/api/v1/applications"]["get"]["security"] == [{"bearerAuth": []}]
    schemas = document["components"]["schemas"]
    call = schemas["FundCall"]["properties"]
    assert call["budget"]["type"] == "integer" and "VND" in call["budget"]["description"]
    assert call["closes_at"] == {
        "type": "string",
        "format": "date-time",
        "description": "Submission deadline (UTC)",
    }
    assert "draft" not in call["state"]["enum"]
    review = schemas["ReviewAssignment"]["properties"]
    assert review["application_title"]["nullable"] is True
    assert "declined" not in review["state"]["enum"]
    assert schemas["FundApplicationPage"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/FundApplication"
    }
