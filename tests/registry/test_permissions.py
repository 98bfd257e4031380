"""Role × action tables for every registry entity.

Roles: anonymous, a verified user with no organisation (outsider), a member of another
organisation, a member and an administrator of the owning organisation, a platform
administrator. Every refused action must leave the database exactly as it was.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ecosystem.auth.models import MembershipStatus, OrgMembership, OrgRole
from ecosystem.core.audit import AuditEvent
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.registry.enums import ListingState, OrgKind
from ecosystem.registry.models import (
    LISTING_MODELS,
    Organisation,
    Person,
    ResearchGroup,
)
from tests.auth_helpers import login
from tests.registry.conftest import ROLES
from tests.registry.support import result_links

ANON, OUT, OTHER, MEMBER, ORG_ADMIN, ADMIN = ROLES


def table(**by_role: int) -> dict[str, int]:
    assert set(by_role) == set(ROLES)
    return by_role


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def expand(actions: dict[str, dict[str, int]]) -> list[tuple[str, str, int]]:
    return [
        (action, role, status) for action, row in actions.items() for role, status in row.items()
    ]


def audit_total() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id))) or 0


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def future(days: int = 60) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).strftime("%d/%m/%Y")


# Listings -----------------------------------------------------------------------------

KINDS = ("result", "need", "startup", "investor")
TITLE = {"result": "title", "need": "title", "startup": "name", "investor": "name"}


def listing_form(kind: str, organisation_id: int, title: str) -> dict[str, object]:
    forms = {
        "result": {
            "title": title,
            "summary": "Chế phẩm vi sinh làm sạch đáy ao nuôi tôm.",
            "details": "Quy trình nhân giống vi sinh.",
            "field_code": "aquaculture",
            "keywords": "vi sinh, đáy ao",
            "trl": "6",
            "ip_status": "none",
            "confidentiality": "public",
            "group_id": "0",
        },
        "need": {
            "title": title,
            "problem": "Đáy ao bị bùn hữu cơ tích tụ.",
            "expected_outcome": "Đáy ao sạch sau một vụ nuôi.",
            "field_code": "aquaculture",
            "trl_wanted": "5",
            "budget_min": "100.000.000",
            "budget_max": "300.000.000",
            "deadline": future(),
        },
        "startup": {
            "name": title,
            "stage": "seed",
            "sector_codes": ["aquaculture"],
            "funding_sought": "1.500.000.000",
            "pitch": "Cảm biến đo oxy hòa tan giá rẻ.",
        },
        "investor": {
            "name": title,
            "thesis": "Đầu tư vào công nghệ nuôi trồng thủy sản.",
            "sector_codes": ["aquaculture"],
            "stages": ["seed"],
            "ticket_min": "500.000.000",
            "ticket_max": "2.000.000.000",
        },
    }
    return {**forms[kind], "organisation_id": str(organisation_id), "publish": "1"}


VISIBLE_TO_OWNERS = table(
    anonymous=302, outsider=403, other_member=403, member=200, org_admin=200, platform_admin=200
)
DETAIL = {
    "published": everyone(200),
    "draft": VISIBLE_TO_OWNERS,
    "archived": VISIBLE_TO_OWNERS,
    "hidden": VISIBLE_TO_OWNERS,
    "expired": VISIBLE_TO_OWNERS,
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("state", "role", "status"),
    [(state, role, status) for state, row in DETAIL.items() for role, status in row.items()],
)
def test_listing_visibility(client, world, as_role, make_listing, kind, state, role, status):
    """Detail page, list page and search agree on who sees a listing in each state."""
    listing = make_listing(kind, world.owner, state=state)
    title = getattr(listing, TITLE[kind])
    as_role(role)

    detail = client.get(f"/{kind}s/{listing.id}")
    assert detail.status_code == status
    if status == 302:
        assert "/auth/login" in detail.headers["Location"]

    shown = status == 200
    listed = client.get(f"/{kind}s/")
    assert listed.status_code == 200
    link = f"/{kind}s/{listing.id}"
    assert (link in result_links(listed)) is shown
    found = client.get("/search", query_string={"q": title})
    assert found.status_code == 200
    assert (link in result_links(found)) is shown


LISTING_WRITES = {
    "new_form": table(
        anonymous=302, outsider=403, other_member=200, member=200, org_admin=200, platform_admin=200
    ),
    # Another organisation's member cannot pick the owner: the choice is not offered.
    "create": table(
        anonymous=403, outsider=403, other_member=422, member=302, org_admin=302, platform_admin=302
    ),
    "edit_form": VISIBLE_TO_OWNERS,
    "edit": table(
        anonymous=403, outsider=403, other_member=403, member=302, org_admin=302, platform_admin=302
    ),
}
for _action in ("publish", "renew", "archive"):
    LISTING_WRITES[_action] = LISTING_WRITES["edit"]
for _action in ("hide", "unhide"):
    LISTING_WRITES[_action] = table(
        anonymous=403, outsider=403, other_member=403, member=403, org_admin=403, platform_admin=302
    )
START_STATE = {"publish": "draft", "renew": "expired", "unhide": "hidden"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("action", "role", "status"), expand(LISTING_WRITES))
def test_listing_writes(client, world, as_role, make_listing, kind, action, role, status):
    model = LISTING_MODELS[kind]
    listing = make_listing(kind, world.owner, state=START_STATE.get(action, "published"))
    listing_id, title_name = listing.id, TITLE[kind]
    as_role(role)  # signing in writes an audit row of its own
    before = {
        "rows": rows(model),
        "audit": audit_total(),
        "title": getattr(listing, title_name),
        "state": listing.state,
        "expires_at": listing.expires_at,
        "hidden_at": listing.hidden_at,
    }
    base = f"/{kind}s"
    new_title = "Tiêu đề đã sửa bởi phép thử"
    requests = {
        "new_form": lambda: client.get(f"{base}/new"),
        "create": lambda: client.post(
            f"{base}/new", data=listing_form(kind, world.owner.id, "Hồ sơ mới tạo bởi phép thử")
        ),
        "edit_form": lambda: client.get(f"{base}/{listing_id}/edit"),
        "edit": lambda: client.post(
            f"{base}/{listing_id}/edit", data=listing_form(kind, world.owner.id, new_title)
        ),
        "publish": lambda: client.post(f"{base}/{listing_id}/state", data={"action": "publish"}),
        "renew": lambda: client.post(f"{base}/{listing_id}/state", data={"action": "renew"}),
        "archive": lambda: client.post(f"{base}/{listing_id}/state", data={"action": "archive"}),
        "hide": lambda: client.post(f"{base}/{listing_id}/hide", data={"reason": "Sai lĩnh vực"}),
        "unhide": lambda: client.post(f"{base}/{listing_id}/unhide"),
    }
    response = requests[action]()
    assert response.status_code == status, response.get_data(as_text=True)[:500]

    db.session.expire_all()
    listing = db.session.get(model, listing_id)
    after = {
        "rows": rows(model),
        "audit": audit_total(),
        "title": getattr(listing, title_name),
        "state": listing.state,
        "expires_at": listing.expires_at,
        "hidden_at": listing.hidden_at,
    }
    if action.endswith("_form"):
        assert after == before
        return
    if status != 302:
        assert after == before, f"{role} was refused {action} but something changed"
        return
    assert after["audit"] > before["audit"]
    expected = {
        "create": lambda: after["rows"] == before["rows"] + 1,
        "edit": lambda: after["title"] == new_title,
        "publish": lambda: after["state"] is ListingState.published and listing.is_public,
        "renew": lambda: listing.is_public and after["expires_at"] > utcnow(),
        "archive": lambda: after["state"] is ListingState.archived,
        "hide": lambda: after["hidden_at"] is not None and not listing.is_public,
        "unhide": lambda: after["hidden_at"] is None and listing.is_public,
    }
    assert expected[action]()


# Organisations ------------------------------------------------------------------------

ORG_ACTIONS = {
    "list": everyone(200),
    "detail": everyone(200),
    "new_form": table(
        anonymous=302, outsider=200, other_member=200, member=200, org_admin=200, platform_admin=200
    ),
    "create": table(
        anonymous=403, outsider=302, other_member=302, member=302, org_admin=302, platform_admin=302
    ),
    # Members edit the organisation's records; only its administrators edit its profile.
    "edit_form": table(
        anonymous=302, outsider=403, other_member=403, member=403, org_admin=200, platform_admin=200
    ),
    "edit": table(
        anonymous=403, outsider=403, other_member=403, member=403, org_admin=302, platform_admin=302
    ),
    "merge_form": table(
        anonymous=302, outsider=403, other_member=403, member=403, org_admin=403, platform_admin=200
    ),
    "merge": table(
        anonymous=403, outsider=403, other_member=403, member=403, org_admin=403, platform_admin=302
    ),
}


def _org_state(org_id: int) -> tuple:
    db.session.expire_all()
    org = db.session.get(Organisation, org_id)
    return (rows(Organisation), audit_total(), org.name_vi, org.website, org.merged_into_id)


@pytest.mark.parametrize(("action", "role", "status"), expand(ORG_ACTIONS))
def test_organisation_actions(client, world, as_role, make_org, action, role, status):
    duplicate = make_org("CTCP Thủy sản Đầm Phá Xanh", kind=OrgKind.enterprise)
    target = duplicate if action.startswith("merge") else world.owner
    as_role(role)  # signing in writes an audit row of its own
    before = _org_state(target.id)
    form = {
        "kind": "university",
        "name_vi": target.name_vi,
        "name_en": "",
        "short_name": "",
        "tax_code": "",
        "ror_id": "",
        "province": "Thành phố Huế",
        "address": "",
        "website": "https://huaf.edu.vn",
        "description": "Đã sửa",
    }
    requests = {
        "list": lambda: client.get("/organisations"),
        "detail": lambda: client.get(f"/organisations/{target.id}"),
        "new_form": lambda: client.get("/organisations/new"),
        "create": lambda: client.post(
            "/organisations/new",
            data={**form, "kind": "enterprise", "name_vi": "Hợp tác xã Rau sạch Hương Trà"},
        ),
        "edit_form": lambda: client.get(f"/organisations/{target.id}/edit"),
        "edit": lambda: client.post(f"/organisations/{target.id}/edit", data=form),
        "merge_form": lambda: client.get(f"/organisations/{target.id}/merge"),
        "merge": lambda: client.post(
            f"/organisations/{target.id}/merge", data={"survivor_id": str(world.other.id)}
        ),
    }
    response = requests[action]()
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    after = _org_state(target.id)
    if status != 302:
        assert after == before
    elif action == "create":
        assert after[0] == before[0] + 1
    elif action == "edit":
        assert after[3] == "https://huaf.edu.vn"
    elif action == "merge":
        assert after[4] == world.other.id


# People -------------------------------------------------------------------------------

EDIT_BY_COLLEAGUES = table(
    anonymous=302, outsider=403, other_member=403, member=200, org_admin=200, platform_admin=200
)
PERSON_ACTIONS = {
    "list": everyone(200),
    "detail": everyone(200),
    "new_form": table(
        anonymous=302, outsider=403, other_member=200, member=200, org_admin=200, platform_admin=200
    ),
    "create": table(
        anonymous=403, outsider=403, other_member=302, member=302, org_admin=302, platform_admin=302
    ),
    "edit_form": EDIT_BY_COLLEAGUES,
    "edit": table(
        anonymous=403, outsider=403, other_member=403, member=302, org_admin=302, platform_admin=302
    ),
    "merge_form": ORG_ACTIONS["merge_form"],
    "merge": ORG_ACTIONS["merge"],
}


def _person_state(person_id: int) -> tuple:
    db.session.expire_all()
    person = db.session.get(Person, person_id)
    return (rows(Person), audit_total(), person.full_name, person.bio, person.merged_into_id)


@pytest.mark.parametrize(("action", "role", "status"), expand(PERSON_ACTIONS))
def test_person_actions(client, world, as_role, make_person, action, role, status):
    person = make_person("PGS.TS. Nguyễn Văn An", world.owner, email="an@huaf.edu.vn")
    duplicate = make_person("Nguyen Van An", world.owner)
    target = duplicate if action.startswith("merge") else person
    as_role(role)  # signing in writes an audit row of its own
    own_org = {
        "member": world.owner.id,
        "org_admin": world.owner.id,
        "other_member": world.other.id,
    }
    before = _person_state(target.id)
    form = {
        "honorific": "PGS.TS.",
        "full_name": "Nguyễn Văn An",
        "email": "an@huaf.edu.vn",
        "phone": "",
        "orcid": "",
        "expertise": "thủy sản",
        "bio": "Đã sửa tiểu sử",
        "organisation_id": "0",
        "position": "",
    }
    requests = {
        "list": lambda: client.get("/people"),
        "detail": lambda: client.get(f"/people/{target.id}"),
        "new_form": lambda: client.get("/people/new"),
        "create": lambda: client.post(
            "/people/new",
            data={
                **form,
                "full_name": "Hoàng Thị Mai Hương",
                "email": "",
                # members add people of their own organisation
                "organisation_id": str(own_org.get(role, 0)),
            },
        ),
        "edit_form": lambda: client.get(f"/people/{target.id}/edit"),
        "edit": lambda: client.post(f"/people/{target.id}/edit", data=form),
        "merge_form": lambda: client.get(f"/people/{target.id}/merge"),
        "merge": lambda: client.post(
            f"/people/{target.id}/merge", data={"survivor_id": str(person.id)}
        ),
    }
    response = requests[action]()
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    after = _person_state(target.id)
    if status != 302:
        assert after == before
    elif action == "create":
        assert after[0] == before[0] + 1
    elif action == "edit":
        assert after[3] == "Đã sửa tiểu sử"
    elif action == "merge":
        assert after[4] == person.id


def test_people_edit_their_own_profile(client, make_user, make_person):

    user = make_user()
    person = make_person("Trần Thị Bình", account=user)
    login(client, user)
    assert client.get(f"/people/{person.id}/edit").status_code == 200


CONTACT_SHOWN = table(
    anonymous=False,
    outsider=False,
    other_member=False,
    member=True,
    org_admin=True,
    platform_admin=True,
)


@pytest.mark.parametrize(("role", "shown"), CONTACT_SHOWN.items())
def test_contact_details_only_for_colleagues(client, world, as_role, make_person, role, shown):
    person = make_person("Lê Văn Cường", world.owner, email="cuong@huaf.edu.vn", phone="0905123456")
    as_role(role)
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert ("cuong@huaf.edu.vn" in page) is shown
    assert ("0905123456" in page) is shown


# Research groups ----------------------------------------------------------------------

GROUP_ACTIONS = {
    "list": everyone(200),
    "detail": everyone(200),
    "new_form": PERSON_ACTIONS["new_form"],
    "create": table(
        anonymous=403, outsider=403, other_member=422, member=302, org_admin=302, platform_admin=302
    ),
    "edit_form": EDIT_BY_COLLEAGUES,
    "edit": PERSON_ACTIONS["edit"],
}


def _group_state(group_id: int) -> tuple:
    db.session.expire_all()
    group = db.session.get(ResearchGroup, group_id)
    return (rows(ResearchGroup), audit_total(), group.name_vi, group.description)


@pytest.mark.parametrize(("action", "role", "status"), expand(GROUP_ACTIONS))
def test_group_actions(client, world, as_role, make_group, action, role, status):
    group = make_group(world.owner, "Nhóm nghiên cứu Thủy sản nước lợ")
    as_role(role)  # signing in writes an audit row of its own
    before = _group_state(group.id)
    form = {
        "organisation_id": str(world.owner.id),
        "name_vi": "Nhóm nghiên cứu Thủy sản nước lợ",
        "name_en": "",
        "description": "Mô tả đã sửa",
        "field_codes": ["aquaculture"],
    }
    requests = {
        "list": lambda: client.get("/groups"),
        "detail": lambda: client.get(f"/groups/{group.id}"),
        "new_form": lambda: client.get("/groups/new"),
        "create": lambda: client.post(
            "/groups/new", data={**form, "name_vi": "Nhóm Dược liệu Bạch Mã"}
        ),
        "edit_form": lambda: client.get(f"/groups/{group.id}/edit"),
        "edit": lambda: client.post(f"/groups/{group.id}/edit", data=form),
    }
    response = requests[action]()
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    after = _group_state(group.id)
    if status != 302:
        assert after == before
    elif action == "create":
        assert after[0] == before[0] + 1
    elif action == "edit":
        assert after[3] == "Mô tả đã sửa"


@pytest.fixture
def lookalike(world, make_user, make_platform_user):
    """Users who look close to the owners but hold no right over their records."""

    def _make(kind: str):
        if kind.startswith("platform_"):
            return make_platform_user(kind.removeprefix("platform_"))
        status, role = kind.split("_")
        user = make_user()
        db.session.add(
            OrgMembership(
                user_id=user.id,
                organisation_id=world.owner.id,
                role=OrgRole(role),
                status=MembershipStatus(status),
            )
        )
        db.session.flush()
        db.session.refresh(user)
        return user

    return _make


@pytest.mark.parametrize(
    "who",
    [
        "pending_member",
        "refused_member",
        "revoked_admin",
        "pending_admin",
        "platform_fund_manager",
        "platform_reviewer",
        "platform_lab_manager",
        "platform_steering",
    ],
)
def test_inactive_memberships_and_other_platform_roles_grant_nothing(
    client, world, lookalike, make_listing, make_person, make_group, who
):

    user = lookalike(who)
    draft = make_listing("result", world.owner, state="draft")
    published = make_listing("need", world.owner)
    person = make_person("Đặng Thị Thu", world.owner, email="thu@huaf.edu.vn")
    group = make_group(world.owner)
    login(client, user)
    audits = audit_total()
    assert client.get(f"/results/{draft.id}").status_code == 403
    assert f"/results/{draft.id}" not in result_links(client.get("/results/"))
    for url in (
        f"/needs/{published.id}/edit",
        f"/organisations/{world.owner.id}/edit",
        f"/organisations/{world.owner.id}/merge",
        f"/people/{person.id}/edit",
        f"/groups/{group.id}/edit",
    ):
        assert client.get(url).status_code == 403, url
    for url, data in (
        (f"/needs/{published.id}/state", {"action": "archive"}),
        (f"/needs/{published.id}/hide", {"reason": "x"}),
        (f"/results/{draft.id}/state", {"action": "publish"}),
    ):
        assert client.post(url, data=data).status_code == 403, url
    assert "thu@huaf.edu.vn" not in client.get(f"/people/{person.id}").text
    assert audit_total() == audits
