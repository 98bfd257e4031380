"""Who may see and act on proposals: a role × action table, records one may not see, and
confidential words that never leak into an explanation."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import current_app
from sqlalchemy import select

from ecosystem.api.tokens import create_token
from ecosystem.extensions import db
from ecosystem.matching.models import ContractType, Match, MatchState
from ecosystem.registry import listing_operations as listing_ops
from ecosystem.registry.enums import Confidentiality, ListingState
from tests.auth_helpers import login
from tests.conftest import html_text
from tests.matching_web.conftest import SECRET_DETAILS, SECRET_WORDS, commit, the_match

ROLES = ("anonymous", "outsider", "source", "target", "admin", "steering")
USER_OF_ROLE = {
    "anonymous": "anonymous",
    "outsider": "outsider",
    "source": "enterprise",  # the need's organisation: the source side of need → result
    "target": "researcher",  # the result's organisation
    "admin": "admin",
    "steering": "steering",
}
LOGIN = "login"
# action → role → expected status code (LOGIN: a redirect to the sign-in page).
TABLE = {
    "view": {
        "anonymous": LOGIN,
        "outsider": 403,
        "source": 200,
        "target": 200,
        "admin": 200,
        "steering": 200,
    },
    "interest": {
        "anonymous": 403,  # a POST without a session is refused, not redirected
        "outsider": 403,
        "source": 302,
        "target": 302,
        "admin": 403,
        "steering": 403,
    },
    "dismiss": {
        "anonymous": 403,
        "outsider": 403,
        "source": 302,
        "target": 302,
        "admin": 403,
        "steering": 403,
    },
    "deal": {
        "anonymous": 403,
        "outsider": 403,
        "source": 302,
        "target": 302,
        "admin": 403,
        "steering": 403,
    },
    "rebuild": {
        "anonymous": 403,
        "outsider": 403,
        "source": 403,
        "target": 403,
        "admin": 302,
        "steering": 403,
    },
}
CASES = [(action, role, TABLE[action][role]) for action in TABLE for role in ROLES]
TODAY = dt.date.today().strftime("%d/%m/%Y")


def request_for(client, action: str, match: Match):
    if action == "view":
        return client.get(f"/matches/{match.id}")
    if action == "rebuild":
        return client.post("/admin/matching/rebuild")
    data = {"contract_type": "licence", "value": "100.000.000", "date": TODAY}
    return client.post(f"/matches/{match.id}/{action}", data=data if action == "deal" else {})


EXPECTED_STATE = {
    "interest": MatchState.interested,
    "dismiss": MatchState.dismissed,
    "deal": MatchState.deal_reported,
}


@pytest.mark.parametrize(("action", "role", "expected"), CASES)
def test_role_action_table(client, world, world_match, action, role, expected):
    match = world_match
    if action == "deal":
        now = dt.datetime.now(dt.UTC)
        match.source_interested_at = match.target_interested_at = match.introduced_at = now
        match.state = MatchState.introduced
        commit()
    before = db.session.get(Match, match.id).state
    user = world.users[USER_OF_ROLE[role]]
    if user is not None:
        login(client, user)
    response = request_for(client, action, match)
    if expected == LOGIN:
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]
    else:
        assert response.status_code == expected
    db.session.expire_all()
    after = db.session.get(Match, match.id).state
    if expected == 302 and action in EXPECTED_STATE:
        assert after is EXPECTED_STATE[action]
        assert response.headers["Location"].startswith(("/matches", "http"))
    elif action != "rebuild":
        assert after is before


@pytest.mark.parametrize(
    ("role", "listed"),
    [("outsider", False), ("source", True), ("target", True), ("admin", True), ("steering", True)],
)
def test_match_list(client, world, world_match, role, listed):
    login(client, world.users[USER_OF_ROLE[role]])
    query = "?all=1" if role in ("admin", "steering") else ""
    page = client.get(f"/matches{query}")
    assert page.status_code == 200
    assert (f'data-match="{world_match.id}"' in page.get_data(as_text=True)) is listed


def test_the_list_of_someone_else_is_not_widened_by_all(client, world, world_match):
    login(client, world.users["outsider"])
    page = client.get("/matches?all=1").get_data(as_text=True)
    assert f'data-match="{world_match.id}"' not in page


@pytest.mark.parametrize(
    ("role", "sees"),
    [("anonymous", False), ("outsider", False), ("source", True), ("admin", True)],
)
def test_proposals_on_a_listing_page_only_for_its_owners(client, world, world_match, role, sees):
    user = world.users[USER_OF_ROLE[role]]
    if user is not None:
        login(client, user)
    page = client.get(f"/needs/{world.need.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert (f'data-match="{world_match.id}"' in body) is sees
    assert ('id="matches-heading"' in body) is sees


def _make_not_public(how: str, listing, kind: str) -> None:
    if how == "archived":
        listing_ops.archive_listing(kind, listing, None)
    elif how == "hidden":
        with current_app.test_request_context():
            listing_ops.hide_listing(kind, listing, "Vi phạm", None)
    elif how == "draft":
        listing.state = ListingState.draft
    else:
        listing.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    db.session.flush()


@pytest.mark.parametrize("how", ["archived", "hidden", "expired"])
@pytest.mark.parametrize("state", ["interested", "dismissed"])
def test_nobody_sees_a_match_whose_record_they_may_not_see(client, world, world_match, how, state):
    """The enterprise's need stops being public after the researcher showed interest: the
    researcher may no longer see the need, so neither the proposal. The enterprise and the
    administrators still do."""
    match = world_match
    match.state = MatchState(state)
    match.target_interested_at = dt.datetime.now(dt.UTC)
    commit()
    _make_not_public(how, world.need, "need")
    commit()
    assert the_match("need", world.need.id, "result", world.result.id) is not None

    login(client, world.users["researcher"])
    assert client.get(f"/needs/{world.need.id}").status_code in (403, 404)
    assert client.get(f"/matches/{match.id}").status_code in (403, 404)
    for query in ("", f"?state={state}"):
        page = client.get(f"/matches{query}").get_data(as_text=True)
        assert f'data-match="{match.id}"' not in page
        assert world.need.title not in page
    result_page = client.get(f"/results/{world.result.id}").get_data(as_text=True)
    assert world.need.title not in result_page
    assert client.post(f"/matches/{match.id}/interest").status_code in (403, 404)
    assert the_match("need", world.need.id, "result", world.result.id).state is MatchState(state)

    client.post("/auth/logout")
    login(client, world.users["steering"])
    page = client.get(f"/matches?all=1&state={state}").get_data(as_text=True)
    assert f'data-match="{match.id}"' not in page
    assert client.get(f"/matches/{match.id}").status_code in (403, 404)

    for role in ("enterprise", "admin"):
        client.post("/auth/logout")
        login(client, world.users[role])
        assert client.get(f"/matches/{match.id}").status_code == 200


def test_an_introduction_survives_the_archiving_of_a_record(client, world, world_match):
    """Once introduced, both sides keep the match (and can report the deal) even after the
    need is archived because it was solved."""
    match = world_match
    now = dt.datetime.now(dt.UTC)
    match.source_interested_at = match.target_interested_at = match.introduced_at = now
    match.state = MatchState.introduced
    commit()
    listing_ops.archive_listing("need", world.need, None)
    commit()
    login(client, world.users["researcher"])
    assert client.get(f"/matches/{match.id}").status_code == 200
    assert f'data-match="{match.id}"' in client.get("/matches").get_data(as_text=True)
    response = client.post(
        f"/matches/{match.id}/deal",
        data={"contract_type": "licence", "value": "", "date": TODAY},
    )
    assert response.status_code == 302
    assert the_match("need", world.need.id, "result", world.result.id).state is (
        MatchState.deal_reported
    )


@pytest.mark.parametrize("confidentiality", ["after_introduction", "members"])
def test_explanations_never_quote_confidential_details(
    client, world, make_need, make_org, confidentiality
):
    """A need that uses the very words of the result's confidential details: the words are
    not in the index, so no explanation can show them."""

    world.result.confidentiality = Confidentiality(confidentiality)
    listing_ops.update_listing("result", world.result, {"trl": 7}, None)
    prying = make_need(
        make_org("Công ty TNHH Vật liệu Phương Nam"),
        title="Cần màng zirconia phủ perovskit cho đầu dò nước ao nuôi tôm",
        problem=(
            "Cần thuật toán hiệu chuẩn lượng tử và màng zirconia, perovskit cho cảm biến IoT "
            "đo oxy hòa tan ao nuôi tôm."
        ),
    )
    commit()
    match = the_match("need", prying.id, "result", world.result.id)
    assert match is not None
    explained = " ".join(t["term"] for t in match.explanation["terms"]).casefold()
    for word in SECRET_WORDS:
        assert word not in explained
    assert "cảm biến iot" in explained or "oxy hòa tan" in explained
    login(client, world.users["researcher"])
    page = client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert "zirconia" in page.casefold()  # the need's own text, shown as it is
    summary = html_text(client.get(f"/matches/{match.id}")).split("Vì sao nền tảng đề xuất?")[1]
    summary = summary.split("Phản hồi của tổ chức bạn")[0]
    for word in SECRET_WORDS:
        assert word not in summary.casefold()
    assert SECRET_DETAILS not in page


def test_every_stored_explanation_term_is_public(world, make_need, make_org):
    for need_text in ("zirconia perovskit nuôi tôm", "hiệu chuẩn lượng tử cảm biến IoT ao tôm"):
        make_need(make_org(), title=f"Cần {need_text}", problem=need_text)
    commit()
    public = " ".join([world.result.title, world.result.summary, *world.result.keywords]).casefold()
    matches = db.session.scalars(select(Match).where(Match.target_id == world.result.id)).all()
    assert len(matches) >= 2
    for match in matches:
        for term in match.explanation["terms"]:
            assert term["term"].casefold() in public


@pytest.mark.parametrize(
    ("state", "unlocked"),
    [
        ("proposed", False),
        ("interested", False),
        ("dismissed", False),
        ("introduced", True),
        ("deal_reported", True),
    ],
)
def test_confidential_details_and_contacts_open_only_with_the_introduction(
    client, world, world_match, state, unlocked
):

    match = world_match
    now = dt.datetime.now(dt.UTC)
    match.state = MatchState(state)
    if state != "proposed":
        match.source_interested_at = now
    if unlocked:
        match.target_interested_at = match.introduced_at = now
    if state == "deal_reported":
        match.deal_type = ContractType.licence
    commit()
    enterprise, outsider = world.users["enterprise"], world.users["outsider"]
    for user, sees in ((enterprise, unlocked), (outsider, False)):
        client.post("/auth/logout")
        login(client, user)
        page = html_text(client.get(f"/results/{world.result.id}"))
        assert (SECRET_DETAILS in page) is sees
        person = html_text(client.get(f"/people/{world.researcher_profile.id}"))
        assert ("nghien.profile@huaf.edu.vn" in person) is sees
        _token, plain = create_token(user, "thử", False, None)
        db.session.commit()
        api = client.get(
            f"/api/v1/results/{world.result.id}", headers={"Authorization": f"Bearer {plain}"}
        ).get_json()
        assert (api["details"] == SECRET_DETAILS) is sees
        if not sees:
            assert api["details"] is None
    # The researcher's side sees the enterprise's people too, once introduced.
    client.post("/auth/logout")
    login(client, world.users["researcher"])
    person = html_text(client.get(f"/people/{world.enterprise_profile.id}"))
    assert ("doanh.profile@damphaxanh.vn" in person) is unlocked
