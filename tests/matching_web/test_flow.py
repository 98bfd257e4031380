"""Interest → introduction → deal, and dismissals: states, notifications, unlocked details."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import current_app
from sqlalchemy import select

from ecosystem.api.tokens import create_token
from ecosystem.core.audit import AuditEvent
from ecosystem.core.errors import UserError
from ecosystem.core.notifications import Notification
from ecosystem.extensions import db
from ecosystem.matching import operations as ops
from ecosystem.matching.models import ContractType, Match, MatchState
from ecosystem.registry import listing_operations as listing_ops
from ecosystem.registry import operations
from ecosystem.registry.enums import OrgKind
from tests.auth.support import body, field_error, flashes
from tests.auth_helpers import login, logout
from tests.conftest import html_text
from tests.matching_web.conftest import SECRET_DETAILS, commit, the_match


def sign_in(client, user) -> None:
    logout(client)
    if user is not None:
        login(client, user)


def notifications_of(user) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def audit(action: str, match: Match) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_id == str(match.id)
            )
        )
    ) or list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def reload(match: Match) -> Match:
    db.session.expire_all()
    return db.session.get(Match, match.id)


def api_result(client, user, result_id: int):
    _token, plain = create_token(user, "thử nghiệm", False, None)
    db.session.commit()
    response = client.get(
        f"/api/v1/results/{result_id}", headers={"Authorization": f"Bearer {plain}"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def colleague(world, make_member):
    """A second member of the university: told when the introduction happens."""
    return make_member(world.university, full_name="ThS. Phan Văn Đồng", email="dong@huaf.edu.vn")


def test_interest_from_both_sides_introduces_them(client, world, world_match, mailbox, colleague):
    enterprise, researcher = world.users["enterprise"], world.users["researcher"]
    outsider = world.users["outsider"]
    commit()

    # Before: nobody sees the other side's contacts or the confidential details.
    sign_in(client, enterprise)
    page = client.get(f"/matches/{world_match.id}")
    assert page.status_code == 200
    assert "nghien@huaf.edu.vn" not in page.get_data(as_text=True)
    assert SECRET_DETAILS not in html_text(client.get(f"/results/{world.result.id}"))
    assert api_result(client, enterprise, world.result.id)["details"] is None

    # The enterprise (source side) is interested.
    response = client.post(f"/matches/{world_match.id}/interest")
    assert response.status_code == 302
    match = reload(world_match)
    assert match.state is MatchState.interested
    assert match.source_interested_at is not None and match.target_interested_at is None
    assert len(audit("match.interest", match)) == 1
    told = notifications_of(researcher)
    assert [n.key for n in told] == ["match.interest"]
    assert told[0].link == f"/matches/{match.id}"
    assert world.enterprise.name_vi in told[0].text
    assert notifications_of(enterprise) == []
    assert notifications_of(outsider) == []
    mail = mailbox.one(researcher.email)
    assert f"/matches/{match.id}" in body(mail)
    assert world.enterprise.name_vi in body(mail)
    assert mailbox.messages(enterprise.email) == []
    assert mailbox.messages(outsider.email) == []
    mailbox.clear()

    # Still hidden: one side is not enough.
    assert "nghien@huaf.edu.vn" not in client.get(f"/matches/{match.id}").get_data(as_text=True)

    # The researcher (target side) accepts.
    sign_in(client, researcher)
    page = html_text(client.get(f"/matches/{match.id}"))
    assert "đã quan tâm" in page
    response = client.post(f"/matches/{match.id}/interest")
    assert response.status_code == 302
    match = reload(match)
    assert match.state is MatchState.introduced
    assert match.introduced_at is not None
    assert len(audit("match.introduced", match)) == 1
    assert [n.key for n in notifications_of(enterprise)] == ["match.introduced"]
    # The colleague was told of both steps; the researcher who acted is not told.
    assert [n.key for n in notifications_of(colleague)] == ["match.interest", "match.introduced"]
    assert [n.key for n in notifications_of(researcher)] == ["match.interest"]
    assert len(mailbox.messages(enterprise.email)) == 1
    assert len(mailbox.messages(colleague.email)) == 1
    assert mailbox.messages(researcher.email) == []
    assert mailbox.messages(outsider.email) == []

    # Now each side sees the other's contacts ...
    researcher_view = client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert "doanh@damphaxanh.vn" in researcher_view
    assert "nghien@huaf.edu.vn" not in researcher_view  # not their own side as "the other"
    sign_in(client, enterprise)
    enterprise_view = client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert "nghien@huaf.edu.vn" in enterprise_view
    assert "dong@huaf.edu.vn" in enterprise_view
    # ... the people's contacts in the registry ...
    person_page = html_text(client.get(f"/people/{world.researcher_profile.id}"))
    assert "nghien.profile@huaf.edu.vn" in person_page and "0234 3525 049" in person_page
    # ... and the result's confidential details, on its page and in the API.
    assert SECRET_DETAILS in html_text(client.get(f"/results/{world.result.id}"))
    assert api_result(client, enterprise, world.result.id)["details"] == SECRET_DETAILS

    # A third organisation still sees none of it.
    sign_in(client, outsider)
    assert client.get(f"/matches/{match.id}").status_code == 403
    assert SECRET_DETAILS not in html_text(client.get(f"/results/{world.result.id}"))
    assert api_result(client, outsider, world.result.id)["details"] is None
    person_page = html_text(client.get(f"/people/{world.researcher_profile.id}"))
    assert "nghien.profile@huaf.edu.vn" not in person_page


@pytest.mark.parametrize(
    ("locale", "english"),
    [("vi", False), ("en", True)],
)
def test_notifications_are_in_the_recipients_language(
    client, world, world_match, mailbox, marked_english, locale, english
):
    researcher = world.users["researcher"]
    researcher.locale = locale
    commit()
    sign_in(client, world.users["enterprise"])  # the actor reads Vietnamese
    assert client.post(f"/matches/{world_match.id}/interest").status_code == 302
    mail = mailbox.one(researcher.email)
    assert mail["Subject"].startswith("EN:") is english
    assert body(mail).startswith("EN:") is english
    assert ("EN:" in body(mail).split("\n\n")[1]) is english  # the message itself
    # In the app the notification is worded when shown, in the reader's language.
    sign_in(client, researcher)
    shown = html_text(client.get("/notifications"))
    assert world.enterprise.name_vi in shown
    assert ("EN:" in shown) is english


@pytest.fixture
def introduced(world, world_match):
    now = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    match = reload(world_match)
    match.source_interested_at = match.target_interested_at = match.introduced_at = now
    match.state = MatchState.introduced
    commit()
    return match


TODAY = dt.date.today()


@pytest.mark.parametrize(
    ("contract_type", "value", "date", "accepted", "message"),
    [
        ("licence", "250.000.000", TODAY.strftime("%d/%m/%Y"), True, "Đã ghi nhận hợp đồng"),
        ("joint_research", "", (TODAY - dt.timedelta(days=30)).isoformat(), True, "Đã ghi nhận"),
        ("investment", "1 500 000 000 ₫", "01/02/2026", True, "Đã ghi nhận hợp đồng"),
        (
            "service_contract",
            "100.000.000",
            (TODAY + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
            False,
            "Ngày ký không được ở tương lai.",
        ),
        ("licence", "-5.000.000", TODAY.strftime("%d/%m/%Y"), False, "Số tiền không hợp lệ"),
        ("licence", "100.000.000", "31/02/2026", False, "Ngày không hợp lệ"),
        ("licence", "100.000.000", "", False, "Vui lòng điền thông tin này."),
        ("barter", "100.000.000", TODAY.strftime("%d/%m/%Y"), False, "Lựa chọn không hợp lệ."),
    ],
)
def test_report_a_deal(
    client, world, introduced, mailbox, contract_type, value, date, accepted, message
):
    researcher, enterprise = world.users["researcher"], world.users["enterprise"]
    sign_in(client, researcher)
    response = client.post(
        f"/matches/{introduced.id}/deal",
        data={"contract_type": contract_type, "value": value, "date": date},
        follow_redirects=True,
    )
    assert response.status_code == (200 if accepted else 422)
    # Accepted: the thanks; refused: the message beside the field, the form filled in.
    fields = ("contract_type", "value", "date")
    shown = (
        " ".join(flashes(response))
        if accepted
        else " ".join(filter(None, (field_error(response, f) for f in fields)))
    )
    assert message in shown
    match = reload(introduced)
    if accepted:
        assert match.state is MatchState.deal_reported
        assert match.deal_type is ContractType(contract_type)
        assert match.deal_reported_by_id == researcher.id
        assert len(audit("match.deal_reported", match)) == 1
        assert [n.key for n in notifications_of(enterprise)] == ["match.deal"]
        assert len(mailbox.messages(enterprise.email)) == 1
        assert "Đã ký" in html_text(response)
    else:
        assert shown, "a refused deal must say why"
        assert match.state is MatchState.introduced
        assert match.deal_type is None and match.deal_value is None
        assert audit("match.deal_reported", match) == []
        assert mailbox.messages(enterprise.email) == []


@pytest.mark.parametrize(
    ("value", "date", "field", "message"),
    [
        (-1, TODAY, "value", "Giá trị hợp đồng không được âm."),
        (10, TODAY + dt.timedelta(days=3), "date", "Ngày ký không được ở tương lai."),
        (10, TODAY, None, None),
    ],
)
def test_report_deal_operation_checks_its_input(world, introduced, value, date, field, message):

    with current_app.test_request_context():
        if message is None:
            ops.report_deal(introduced, world.users["enterprise"], "licence", value, date)
            assert introduced.state is MatchState.deal_reported
            return
        with pytest.raises(UserError) as raised:
            ops.report_deal(introduced, world.users["enterprise"], "licence", value, date)
    assert (raised.value.field, raised.value.message) == (field, message)
    assert introduced.state is MatchState.introduced


def test_deal_values_are_stored_exactly(client, world, introduced):
    sign_in(client, world.users["enterprise"])
    client.post(
        f"/matches/{introduced.id}/deal",
        data={"contract_type": "licence", "value": "1.250.000.000", "date": "15/01/2026"},
    )
    match = reload(introduced)
    assert (match.deal_value, match.deal_date) == (1_250_000_000, dt.date(2026, 1, 15))


@pytest.mark.parametrize("state", ["proposed", "interested", "dismissed"])
def test_no_deal_before_the_introduction(client, world, world_match, state):
    match = reload(world_match)
    match.state = MatchState(state)
    if state == "interested":
        match.target_interested_at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    commit()
    sign_in(client, world.users["enterprise"])
    response = client.post(
        f"/matches/{match.id}/deal",
        data={"contract_type": "licence", "value": "1", "date": "01/01/2026"},
        follow_redirects=True,
    )
    assert response.status_code == 422
    assert any("trạng thái" in text for text in flashes(response))
    assert reload(match).state is MatchState(state)


def test_interest_twice_is_refused_clearly(client, world, world_match):
    sign_in(client, world.users["enterprise"])
    client.post(f"/matches/{world_match.id}/interest")
    response = client.post(f"/matches/{world_match.id}/interest", follow_redirects=True)
    assert "đã bày tỏ quan tâm" in " ".join(flashes(response))
    assert reload(world_match).state is MatchState.interested


def open_list(client) -> str:
    return client.get("/matches").get_data(as_text=True)


def test_dismissed_pair_leaves_the_list_and_returns_after_a_substantial_change(
    client, world, world_match, mailbox
):
    enterprise = world.users["enterprise"]
    sign_in(client, enterprise)
    assert f'data-match="{world_match.id}"' in open_list(client)
    response = client.post(f"/matches/{world_match.id}/dismiss")
    assert response.status_code == 302
    match = reload(world_match)
    assert match.state is MatchState.dismissed
    assert len(audit("match.dismissed", match)) == 1
    assert f'data-match="{match.id}"' not in open_list(client)
    listing_page = client.get(f"/needs/{world.need.id}").get_data(as_text=True)
    assert f'data-match="{match.id}"' not in listing_page

    # A trivial edit (a typo fixed) does not bring it back.
    listing_ops.update_listing(
        "need",
        world.need,
        {"expected_outcome": "Giảm tỉ lệ tôm chết; giám sát nước ao từ xa."},
        None,
    )
    commit()
    assert reload(match).state is MatchState.dismissed
    assert f'data-match="{match.id}"' not in open_list(client)

    # A substantial rewrite of the result does.
    listing_ops.update_listing(
        "result",
        world.result,
        {
            "summary": (
                "Phao nổi năng lượng mặt trời mang cảm biến IoT đo oxy hòa tan và độ mặn ao nuôi "
                "tôm; dữ liệu gửi về máy chủ, trí tuệ nhân tạo dự báo thiếu oxy trước sáu giờ."
            )
        },
        None,
    )
    commit()
    match = reload(match)
    assert match.state is MatchState.proposed
    assert match.dismissed_by is None and match.dismissed_at is None
    assert f'data-match="{match.id}"' in open_list(client)


def test_a_revived_proposal_starts_afresh(client, world, world_match):
    """Interest given before a dismissal does not survive it: the proposal comes back new."""
    sign_in(client, world.users["researcher"])
    client.post(f"/matches/{world_match.id}/interest")
    sign_in(client, world.users["enterprise"])
    client.post(f"/matches/{world_match.id}/dismiss")
    assert reload(world_match).state is MatchState.dismissed
    listing_ops.update_listing(
        "need",
        world.need,
        {
            "problem": "Cần cảm biến IoT đo oxy hòa tan, độ mặn; dự báo thiếu oxy bằng trí tuệ nhân tạo "
            "cho hai mươi ao nuôi tôm siêu thâm canh trong nhà màng."
        },
        None,
    )
    commit()
    match = reload(world_match)
    assert match.state is MatchState.proposed
    assert match.source_interested_at is None and match.target_interested_at is None
    # One "yes" now is one side only, not an introduction.
    client.post(f"/matches/{match.id}/interest")
    assert reload(match).state is MatchState.interested


def test_dismissal_tells_the_other_side(client, world, world_match, mailbox):
    sign_in(client, world.users["researcher"])
    client.post(f"/matches/{world_match.id}/interest")
    mailbox.clear()
    sign_in(client, world.users["enterprise"])
    client.post(f"/matches/{world_match.id}/dismiss")
    assert [n.key for n in notifications_of(world.users["researcher"])][-1] == "match.dismissed"
    assert len(mailbox.messages(world.users["researcher"].email)) == 1


def test_dismissed_by_one_side_is_dismissed_for_both(client, world, world_match):
    sign_in(client, world.users["enterprise"])
    client.post(f"/matches/{world_match.id}/dismiss")
    sign_in(client, world.users["researcher"])
    assert f'data-match="{world_match.id}"' not in open_list(client)
    response = client.post(f"/matches/{world_match.id}/interest", follow_redirects=True)
    assert any("trạng thái" in text for text in flashes(response))
    assert reload(world_match).state is MatchState.dismissed


def test_the_match_list_shows_only_my_organisations(client, world, world_match):
    sign_in(client, world.users["outsider"])
    assert f'data-match="{world_match.id}"' not in open_list(client)
    sign_in(client, world.users["researcher"])
    assert f'data-match="{world_match.id}"' in open_list(client)
    assert the_match("need", world.need.id, "result", world.result.id).id == world_match.id


@pytest.mark.parametrize(
    ("next_url", "followed"),
    [
        ("/needs/", True),
        ("//evil.example/x", False),
        ("/\\evil.example/x", False),
        ("https://evil.example/x", False),
        ("", False),
    ],
)
def test_interest_returns_only_to_pages_of_this_site(
    client, world, world_match, next_url, followed
):
    sign_in(client, world.users["enterprise"])
    response = client.post(f"/matches/{world_match.id}/interest", data={"next_url": next_url})
    assert response.status_code == 302
    expected = next_url if followed else f"/matches/{world_match.id}"
    assert response.headers["Location"] == expected


@pytest.fixture
def pair_builders(make_listing, make_group, make_person, make_result):
    def source(kind: str, org):
        if kind != "group":
            return make_listing(kind, org), None
        person = make_person("PGS. Hồ Thị Thủy", org, expertise=["nuôi tôm", "cảm biến IoT"])
        group = make_group(
            org,
            "Nhóm nghiên cứu nuôi trồng thủy sản thông minh",
            members=[person],
            description="Giám sát chất lượng nước ao nuôi tôm bằng cảm biến IoT, oxy hòa tan.",
        )
        result = make_result(
            org,
            group_id=group.id,
            details=SECRET_DETAILS,
            confidentiality="after_introduction",
        )
        return group, result

    return source


@pytest.mark.parametrize(
    ("source_kind", "target_kind"), [("group", "need"), ("startup", "investor")]
)
def test_other_pairs_go_from_proposal_to_introduction(
    client, pair_builders, make_listing, make_org, make_member, source_kind, target_kind
):

    source_org = make_org("Viện Nghiên cứu Thủy sản Miền Trung", kind=OrgKind.research_institute)
    target_org = make_org("Công ty CP Đầu tư Hương Giang", kind=OrgKind.investor)
    source_user = make_member(source_org, email="nguon@vien.vn")
    target_user = make_member(target_org, email="dich@huonggiang.vn")
    source, group_result = pair_builders(source_kind, source_org)
    target = make_listing(target_kind, target_org)
    commit()
    match = the_match(source_kind, source.id, target_kind, target.id)
    assert match is not None
    if group_result is not None:
        sign_in(client, target_user)
        assert SECRET_DETAILS not in html_text(client.get(f"/results/{group_result.id}"))
    for user in (source_user, target_user):
        sign_in(client, user)
        assert client.post(f"/matches/{match.id}/interest").status_code == 302
    assert reload(match).state is MatchState.introduced
    assert "nguon@vien.vn" in client.get(f"/matches/{match.id}").get_data(as_text=True)
    if group_result is not None:
        # The group's results open up for the organisation introduced to the group.
        assert SECRET_DETAILS in html_text(client.get(f"/results/{group_result.id}"))
    sign_in(client, source_user)
    assert "dich@huonggiang.vn" in client.get(f"/matches/{match.id}").get_data(as_text=True)


def test_notifications_page_unread_count_and_mark_read(client, world, world_match):
    sign_in(client, world.users["enterprise"])
    client.post(f"/matches/{world_match.id}/interest")
    sign_in(client, world.users["outsider"])
    assert world.enterprise.name_vi not in html_text(client.get("/notifications"))
    sign_in(client, world.users["researcher"])
    assert 'aria-label="Thông báo (1)"' in client.get("/").get_data(as_text=True)
    page = client.get("/notifications").get_data(as_text=True)
    assert f'href="/matches/{world_match.id}"' in page
    # Opening the page reads what it shows: the header count is gone.
    assert 'aria-label="Thông báo"' in page
    assert all(n.read_at is not None for n in notifications_of(world.users["researcher"]))
    assert client.post("/notifications/read").status_code == 302


def test_notifications_need_a_session(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.post("/notifications/read").status_code == 403


def test_an_organisation_merge_moves_its_proposals_to_the_survivor(
    db_session, make_org, make_platform_user
):

    survivor = make_org("Công ty TNHH Thủy sản Đầm Phá Xanh", kind=OrgKind.enterprise)
    duplicate = make_org("CTCP Thủy sản Đầm Phá Xanh", kind=OrgKind.enterprise)
    other = make_org("Trường Đại học Nông Lâm", kind=OrgKind.university)
    match = Match(
        source_kind="need",
        source_id=1,
        target_kind="result",
        target_id=2,
        source_org_id=duplicate.id,
        target_org_id=other.id,
        state=MatchState.interested,
    )
    db.session.add(match)
    db.session.flush()
    operations.merge_organisations(survivor, duplicate, make_platform_user("admin"))
    db.session.flush()
    moved = db.session.scalar(select(Match).where(Match.id == match.id))
    db.session.refresh(moved)
    assert moved.source_org_id == survivor.id and moved.target_org_id == other.id


def test_a_deal_form_with_a_mistake_keeps_what_was_typed(client, world, introduced):
    sign_in(client, world.users["enterprise"])
    response = client.post(
        f"/matches/{introduced.id}/deal",
        data={"contract_type": "licence", "value": "1.250.000.000", "date": "31/02/2026"},
    )
    assert response.status_code == 422
    page = response.text
    assert 'value="1.250.000.000"' in page  # the amount is not typed again
    assert '<option selected value="licence">' in page or 'value="licence" selected' in page
    assert "is-invalid" in page  # the message sits beside the date field
    assert reload(introduced).state is MatchState.introduced
