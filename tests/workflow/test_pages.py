"""The fund's pages through HTTP: public calls, an applicant's draft to submission, screening,
and who reaches what (a stranger gets the same 404 as for a missing id)."""

from __future__ import annotations

import pytest

from ecosystem.extensions import db
from ecosystem.workflow.models import ApplicationState, CallState, FundApplication, FundCall
from tests.auth_helpers import login
from tests.conftest import html_text

S = ApplicationState


def test_public_call_page_and_feed_show_open_calls_only(anon, make_call):
    open_call = make_call(title_vi="Đợt gọi nông nghiệp số")
    draft = make_call(title_vi="Đợt gọi còn nháp", state=CallState.draft)
    page = anon.get("/fund/")
    assert page.status_code == 200
    assert "Đợt gọi nông nghiệp số" in html_text(page) and "Đợt gọi còn nháp" not in html_text(page)
    assert anon.get(f"/fund/calls/{open_call.id}").status_code == 200
    assert anon.get(f"/fund/calls/{draft.id}").status_code == 404
    feed = anon.get("/fund/calls.atom")
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    assert "Đợt gọi nông nghiệp số" in feed.get_data(as_text=True)
    assert "Đợt gọi còn nháp" not in feed.get_data(as_text=True)


def _budget(label="Thiết bị", fund="700.000.000", own="300.000.000") -> dict[str, str]:
    return {"budget_label_0": label, "budget_fund_0": fund, "budget_own_0": own}


def _content(**extra) -> dict[str, str]:
    data = {
        "title": "Nuôi tôm tuần hoàn",
        "summary": "Hệ thống lọc sinh học.",
        "trl": "5",
        "requested_amount": "700.000.000",
        "cofunding_amount": "300.000.000",
        **_budget(),
    }
    data.update(extra)
    return data


def _draft(client, call, people) -> FundApplication:
    login(client, people["applicant"])
    started = client.post(
        f"/fund/calls/{call.id}/apply",
        data={"organisation_id": people["_org"].id, "title": "Nuôi tôm tuần hoàn"},
    )
    assert started.status_code == 302, html_text(started)[:500]
    return db.session.scalars(
        db.select(FundApplication).order_by(FundApplication.id.desc())
    ).first()


def test_an_applicant_drafts_fills_and_submits(client, make_call, people):
    call = make_call()
    application = _draft(client, call, people)
    assert application.state is S.draft
    saved = client.post(f"/fund/applications/{application.id}/edit", data=_content())
    assert saved.status_code == 302, html_text(saved)[:800]
    page = client.get(f"/fund/applications/{application.id}")
    assert "Nộp hồ sơ" in html_text(page)
    client.post(f"/fund/applications/{application.id}/state", data={"action": "submit"})
    db.session.refresh(application)
    assert application.state is S.submitted
    assert [line.fund_amount for line in application.budget_lines] == [700_000_000]
    assert "Đã nộp" in html_text(client.get(f"/fund/applications/{application.id}"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_budget(fund="bảy trăm"), "Số tiền không hợp lệ"),
        (_budget(label=""), "Mỗi dòng dự toán cần có nội dung chi"),
    ],
)
def test_a_bad_budget_row_is_shown_next_to_the_table_and_nothing_is_saved(
    client, make_call, people, data, message
):
    application = _draft(client, make_call(), people)
    response = client.post(
        f"/fund/applications/{application.id}/edit", data=_content(title="Tên mới", **data)
    )
    assert response.status_code == 422
    assert message in html_text(response)
    db.session.refresh(application)
    assert application.title == "Nuôi tôm tuần hoàn" and application.budget_lines == []


def test_submitting_an_incomplete_draft_says_what_is_missing(client, make_call, people):
    application = _draft(client, make_call(), people)
    response = client.post(
        f"/fund/applications/{application.id}/state",
        data={"action": "submit"},
        follow_redirects=True,
    )
    assert "Hãy lập bảng dự toán kinh phí" in html_text(response)
    db.session.refresh(application)
    assert application.state is S.draft and application.submitted_at is None


def test_strangers_and_drafts(client, make_application, people):
    draft = make_application(org=people["_org"])
    submitted = make_application(org=people["_org"], state=S.submitted)
    login(client, people["outsider"])
    for application in (draft, submitted):
        assert client.get(f"/fund/applications/{application.id}").status_code == 404
        assert client.get(f"/fund/applications/{application.id}/edit").status_code == 404
        response = client.post(
            f"/fund/applications/{application.id}/state", data={"action": "withdraw"}
        )
        assert response.status_code == 404
    assert "Nuôi tôm" not in html_text(client.get("/fund/applications"))
    db.session.refresh(submitted)
    assert submitted.state is S.submitted


def test_a_manager_screens_with_a_reason(client, make_application, people):
    application = make_application(org=people["_org"], state=S.submitted)
    login(client, people["manager"])
    listed = client.get(f"/fund/calls/{application.call_id}/applications")
    assert "Nuôi tôm" in html_text(listed)
    client.post(
        f"/fund/applications/{application.id}/state",
        data={"action": "mark_ineligible", "reason": ""},
    )
    db.session.refresh(application)
    assert application.state is S.submitted
    client.post(
        f"/fund/applications/{application.id}/state",
        data={"action": "request_info", "reason": "Bổ sung giấy phép", "reply_days": "7"},
    )
    db.session.refresh(application)
    assert application.state is S.info_requested and application.reply_due_at is not None
    page = html_text(client.get(f"/fund/applications/{application.id}"))
    assert "Bổ sung giấy phép" in page and "Yêu cầu bổ sung" in page


def test_a_manager_creates_a_call_in_local_time(client, people):
    login(client, people["manager"])
    response = client.post(
        "/fund/calls/new",
        data={
            "title_vi": "Đợt gọi 2027",
            "budget": "5.000.000.000",
            "max_amount": "1.000.000.000",
            "cofunding_percent": "20",
            "opens_on": "01/02/2027",
            "closes_on": "31/03/2027",
            "rubric": "Tính mới | 2\nTác động | 1",
            "trl_min": "3",
            "trl_max": "7",
            "score_max": "5",
            "reviewers_per_application": "3",
            "reviewer_load_limit": "10",
        },
    )
    assert response.status_code == 302, html_text(response)[:1000]

    call = db.session.scalars(db.select(FundCall).filter_by(title_vi="Đợt gọi 2027")).one()
    # 31/03 "until the end of the day" in Huế = 1/4 00:00 +07:00 = 31/3 17:00 UTC.
    assert (call.closes_at.day, call.closes_at.hour) == (31, 17)
    assert call.state is CallState.draft and [c["weight"] for c in call.rubric] == [2.0, 1.0]


def test_people_outside_the_fund_cannot_create_calls(client, people):
    login(client, people["applicant"])
    assert client.get("/fund/calls/new").status_code == 403


def test_saving_again_with_the_same_partner_keeps_it(client, make_call, make_org, people):
    partner = make_org(kind="university")
    application = _draft(client, make_call(), people)
    for _ in range(2):
        saved = client.post(
            f"/fund/applications/{application.id}/edit",
            data={**_content(), "partner_ids": [str(partner.id)]},
        )
        assert saved.status_code == 302, html_text(saved)[:500]
    db.session.refresh(application)
    assert application.partner_org_ids == {partner.id}


def test_an_amount_beyond_any_budget_is_refused_not_a_server_error(client, make_call, people):
    application = _draft(client, make_call(), people)
    response = client.post(
        f"/fund/applications/{application.id}/edit",
        data=_content(**_budget(fund="99999999999999999999999")),
    )
    assert response.status_code == 422 and "Số tiền không hợp lệ" in html_text(response)
    db.session.refresh(application)
    assert application.budget_lines == []


def test_the_feed_of_no_open_call_is_a_valid_empty_feed(anon, make_call):
    make_call(state=CallState.draft)
    feed = anon.get("/fund/calls.atom")
    assert feed.status_code == 200 and "<entry>" not in feed.get_data(as_text=True)
