"""Roles and memberships: platform roles granted by admins, organisation admins deciding
who joins, and who may reach which account and administration route."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from ecosystem.auth.models import MembershipStatus, OrgMembership, OrgRole, PlatformRole
from ecosystem.extensions import db
from tests.auth.support import audit_rows, body, flashes, user_by_email
from tests.auth_helpers import login
from tests.conftest import html_text

ALL_ROLES = [role.value for role in PlatformRole]


def membership(user, org) -> OrgMembership | None:
    db.session.expire_all()
    return db.session.scalar(
        select(OrgMembership).where(
            OrgMembership.user_id == user.id, OrgMembership.organisation_id == org.id
        )
    )


def pending_request(user, org, message="") -> OrgMembership:
    link = OrgMembership(
        user_id=user.id, organisation_id=org.id, status=MembershipStatus.pending, message=message
    )
    db.session.add(link)
    db.session.flush()
    return link


# --- platform roles ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_admin_grants_and_revokes_platform_roles(client, make_user, admin, role):
    user = make_user()
    login(client, admin)
    response = client.post(f"/admin/users/{user.id}/roles", data={"role": role, "action": "grant"})
    assert response.status_code == 302
    assert user_by_email(user.email).has_role(PlatformRole(role))
    (granted,) = audit_rows("auth.role_granted", object_id=str(user.id))
    assert granted.actor_id == admin.id and granted.summary["role"] == role

    # Granting twice changes nothing and writes no second row.
    client.post(f"/admin/users/{user.id}/roles", data={"role": role, "action": "grant"})
    assert len(audit_rows("auth.role_granted", object_id=str(user.id))) == 1

    client.post(f"/admin/users/{user.id}/roles", data={"role": role, "action": "revoke"})
    assert not user_by_email(user.email).has_role(PlatformRole(role))
    (revoked,) = audit_rows("auth.role_revoked", object_id=str(user.id))
    assert revoked.actor_id == admin.id and revoked.summary["role"] == role


def test_admin_cannot_revoke_own_admin_role(client, admin):
    login(client, admin)
    response = client.post(
        f"/admin/users/{admin.id}/roles",
        data={"role": "admin", "action": "revoke"},
        follow_redirects=True,
    )
    assert "Bạn không thể tự thu hồi quyền quản trị của mình." in flashes(response)
    assert user_by_email(admin.email).is_admin
    assert audit_rows("auth.role_revoked", object_id=str(admin.id)) == []
    assert client.get("/admin/users").status_code == 200


def test_another_admin_can_revoke_an_admin(client, make_platform_user, admin):
    other = make_platform_user("admin")
    login(client, admin)
    client.post(f"/admin/users/{other.id}/roles", data={"role": "admin", "action": "revoke"})
    assert not user_by_email(other.email).is_admin


def test_admin_cannot_disable_own_account(client, admin):
    login(client, admin)
    response = client.post(
        f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "Bạn không thể tự khóa tài khoản của mình." in flashes(response)
    assert user_by_email(admin.email).is_active


def test_admin_enables_a_disabled_account(client, make_user, admin):
    user = make_user(is_active=False)
    login(client, admin)
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert user_by_email(user.email).is_active
    assert audit_rows("auth.enabled", object_id=str(user.id), actor_id=admin.id)
    login(client, user)


@pytest.mark.parametrize(
    "data", [{"role": "emperor", "action": "grant"}, {"role": "", "action": "grant"}]
)
def test_unknown_role_is_a_clear_400(client, make_user, admin, data):
    user = make_user()
    login(client, admin)
    response = client.post(f"/admin/users/{user.id}/roles", data=data)
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in html_text(response)
    assert user_by_email(user.email).roles == []


def test_unknown_user_is_404(client, admin):
    login(client, admin)
    assert client.get("/admin/users/987654").status_code == 404
    assert client.post("/admin/users/987654/active", data={"active": "0"}).status_code == 404


# --- who may reach which route ----------------------------------------------------------

# Who is asking: anonymous, a plain account, a member (or admin) of another organisation,
# a member and an admin of the organisation concerned, and each platform role.
ACTORS = ["anonymous", "user", "other_org_member", "other_org_admin", "org_member", "org_admin"]
ACTORS += [f"platform_{role}" for role in ALL_ROLES]
ADMIN_ONLY = {"platform_admin"}
ORG_MANAGERS = {"org_admin", "platform_admin"}
NON_MEMBERS = set(ACTORS) - {"anonymous", "org_member", "org_admin"}
SIGNED_IN = set(ACTORS) - {"anonymous"}

# endpoint -> (method, path template, who succeeds, success status)
ROUTES = {
    "admin.users": ("GET", "/admin/users", ADMIN_ONLY, 200),
    "admin.audit": ("GET", "/admin/audit", ADMIN_ONLY, 200),
    "admin.user_detail": ("GET", "/admin/users/{target}", ADMIN_ONLY, 200),
    "admin.change_role": ("POST", "/admin/users/{target}/roles", ADMIN_ONLY, 302),
    "admin.set_active": ("POST", "/admin/users/{target}/active", ADMIN_ONLY, 302),
    "memberships.members": ("GET", "/organisations/{org}/members", ORG_MANAGERS, 200),
    "memberships.decide": ("POST", "/memberships/{pending}/decide", ORG_MANAGERS, 302),
    "memberships.set_role": ("POST", "/memberships/{active}/role", ORG_MANAGERS, 302),
    "memberships.revoke": ("POST", "/memberships/{active}/revoke", ORG_MANAGERS, 302),
    "memberships.join": ("GET", "/organisations/{org}/join", NON_MEMBERS, 200),
    "auth.profile": ("GET", "/auth/account", SIGNED_IN, 200),
    "auth.change_password": ("POST", "/auth/account/password", SIGNED_IN, 422),
}
FORM = {
    "admin.change_role": {"role": "reviewer", "action": "grant"},
    "admin.set_active": {"active": "0"},
    "memberships.decide": {"decision": "approve"},
    "memberships.set_role": {"role": "admin"},
    "auth.change_password": {"pw-current": "sai", "pw-password": "ngắn", "pw-confirm": "ngắn"},
}
# Routes of the account blueprints that anybody may use; everything else needs a row above.
PUBLIC = {
    "auth.login",
    "auth.logout",
    "auth.register",
    "auth.resend_verification",
    "auth.reset_request",
    "auth.reset_password",
    "auth.verify_email",
    "oidc.login",
    "oidc.callback",
    "oidc.link",  # signed-in only, tested with a live provider in test_oidc.py
}
BLUEPRINTS = ("auth.", "oidc.", "admin.", "memberships.")


def test_every_account_route_has_a_rule(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith(BLUEPRINTS)}
    assert endpoints - set(ROUTES) - PUBLIC == set(), "add the new route to ROUTES or PUBLIC"
    assert set(ROUTES) | PUBLIC <= endpoints


@pytest.fixture
def world(make_user, make_org, make_member, make_platform_user):
    """An organisation with a member, an admin, a pending request, and another organisation."""
    org, other_org = make_org(), make_org()
    people = {
        "user": make_user(),
        "other_org_member": make_member(other_org),
        "other_org_admin": make_member(other_org, role="admin"),
        "org_member": make_member(org),
        "org_admin": make_member(org, role="admin"),
    }
    for role in ALL_ROLES:
        people[f"platform_{role}"] = make_platform_user(role)
    applicant, active = make_user(), make_member(org)
    ids = {
        "org": org.id,
        "target": make_user().id,
        "pending": pending_request(applicant, org).id,
        "active": membership(active, org).id,
    }
    return people, ids


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", list(ROUTES))
def test_role_route_table(client, world, endpoint, actor):
    people, ids = world
    method, template, allowed, success = ROUTES[endpoint]
    if actor != "anonymous":
        login(client, people[actor])
    path = template.format(**ids)
    response = client.open(path, method=method, data=FORM.get(endpoint, {}))
    if actor in allowed:
        expected = success
    elif actor == "anonymous" and method == "GET":
        expected = 302
    else:
        expected = 403
    assert response.status_code == expected, f"{actor} {method} {path}"
    if expected == 302 and actor == "anonymous":
        location = urlsplit(response.headers["Location"])
        assert location.path == "/auth/login"
        assert parse_qs(location.query)["next"] == [path]
    if expected == 403:
        assert "Không có quyền truy cập" in html_text(response)


def test_refusals_change_nothing(client, world):
    people, ids = world
    login(client, people["other_org_admin"])
    client.post(f"/memberships/{ids['pending']}/decide", data={"decision": "approve"})
    client.post(f"/memberships/{ids['active']}/revoke")
    client.post(f"/admin/users/{ids['target']}/roles", data={"role": "admin", "action": "grant"})
    db.session.expire_all()
    assert db.session.get(OrgMembership, ids["pending"]).status is MembershipStatus.pending
    assert db.session.get(OrgMembership, ids["active"]).status is MembershipStatus.active
    assert audit_rows("membership.approved") == audit_rows("membership.revoked") == []
    assert audit_rows("auth.role_granted") == []


def test_forbidden_page_in_english(client, make_user):
    login(client, make_user())
    client.post("/language", data={"lang": "en"})
    response = client.get("/admin/users")
    assert response.status_code == 403
    text = html_text(response)
    assert "Access denied" in text and "You are not allowed to see or change this." in text


def test_forbidden_api_style_request_gets_json(client, make_user):
    login(client, make_user())
    response = client.get("/admin/users", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == 403


# --- memberships ------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "refuse"])
def test_membership_request_decided_by_org_admin(
    client, new_client, mailbox, make_user, make_org, make_member, decision
):
    org = make_org("Công ty Cổ phần Dệt may Huế")
    org_admin = make_member(org, role="admin")
    applicant = make_user(full_name="Hồ Thị Lan")

    login(client, applicant)
    assert client.get(f"/organisations/{org.id}/join").status_code == 200
    response = client.post(
        f"/organisations/{org.id}/join", data={"message": "Tôi là kỹ sư của công ty."}
    )
    assert response.status_code == 302
    link = membership(applicant, org)
    assert link.status is MembershipStatus.pending and link.role is OrgRole.member
    (requested,) = audit_rows("membership.requested", object_id=str(link.id))
    assert requested.actor_id == applicant.id
    profile = html_text(client.get("/auth/account"))
    assert "Công ty Cổ phần Dệt may Huế" in profile and "Chờ duyệt" in profile

    manager = new_client()
    login(manager, org_admin)
    # The administrator is told in the app, with the way to the decision.
    assert 'data-testid="unread">1<' in manager.get("/").text
    notices = html_text(manager.get("/notifications"))
    assert "Hồ Thị Lan xin tham gia tổ chức Công ty Cổ phần Dệt may Huế" in notices
    assert f"/organisations/{org.id}/members" in manager.get("/notifications").text
    members_page = manager.get(f"/organisations/{org.id}/members")
    assert "Hồ Thị Lan" in html_text(members_page)
    assert "Tôi là kỹ sư của công ty." in html_text(members_page)
    response = manager.post(f"/memberships/{link.id}/decide", data={"decision": decision})
    assert response.status_code == 302

    link = membership(applicant, org)
    approved = decision == "approve"
    assert link.status is (MembershipStatus.active if approved else MembershipStatus.refused)
    assert link.decided_by_id == org_admin.id and link.decided_at is not None
    action = "membership.approved" if approved else "membership.refused"
    (decided,) = audit_rows(action, object_id=str(link.id))
    assert decided.actor_id == org_admin.id

    message = mailbox.one(applicant.email)
    assert message["Subject"] == (
        "Yêu cầu tham gia tổ chức đã được duyệt"
        if approved
        else "Yêu cầu tham gia tổ chức bị từ chối"
    )
    assert "Công ty Cổ phần Dệt may Huế" in body(message)
    assert "Hồ Thị Lan" in body(message)

    profile = html_text(client.get("/auth/account"))
    assert "Công ty Cổ phần Dệt may Huế" in profile
    assert ("Thành viên" if approved else "Bị từ chối") in profile
    assert (org.id in user_by_email(applicant.email).active_org_ids) is approved


def test_request_decided_only_once(client, mailbox, make_user, make_org, make_member):
    org = make_org()
    org_admin = make_member(org, role="admin")
    link = pending_request(make_user(), org)
    login(client, org_admin)
    client.post(f"/memberships/{link.id}/decide", data={"decision": "approve"})
    response = client.post(
        f"/memberships/{link.id}/decide", data={"decision": "refuse"}, follow_redirects=True
    )
    assert "Yêu cầu này đã được xử lý." in flashes(response)
    db.session.expire_all()
    assert db.session.get(OrgMembership, link.id).status is MembershipStatus.active
    assert audit_rows("membership.refused") == []
    assert len(mailbox.messages()) == 1


def test_pending_request_cannot_be_sent_twice(client, make_user, make_org):
    org = make_org()
    applicant = make_user()
    login(client, applicant)
    client.post(f"/organisations/{org.id}/join", data={"message": ""})
    response = client.post(
        f"/organisations/{org.id}/join", data={"message": ""}, follow_redirects=True
    )
    assert "Bạn đã là thành viên hoặc đã gửi yêu cầu tham gia tổ chức này." in flashes(response)
    assert len(audit_rows("membership.requested")) == 1


def test_refused_applicant_may_ask_again(client, make_user, make_org, make_member):
    org = make_org()
    applicant = make_user()
    link = pending_request(applicant, org)
    link.status = MembershipStatus.refused
    db.session.flush()
    login(client, applicant)
    client.post(f"/organisations/{org.id}/join", data={"message": "Xin xem xét lại."})
    again = membership(applicant, org)
    assert again.id == link.id and again.status is MembershipStatus.pending
    assert again.decided_by_id is None


def test_invalid_decision_is_400(client, make_user, make_org, make_member):
    org = make_org()
    link = pending_request(make_user(), org)
    login(client, make_member(org, role="admin"))
    response = client.post(f"/memberships/{link.id}/decide", data={"decision": "maybe"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(OrgMembership, link.id).status is MembershipStatus.pending


def test_org_admin_of_a_cannot_manage_members_of_b(client, make_user, make_org, make_member):
    org_a, org_b = make_org(), make_org()
    admin_a = make_member(org_a, role="admin")
    pending_b = pending_request(make_user(), org_b)
    active_b = membership(make_member(org_b), org_b)
    login(client, admin_a)
    assert client.get(f"/organisations/{org_b.id}/members").status_code == 403
    responses = [
        client.post(f"/memberships/{pending_b.id}/decide", data={"decision": "approve"}),
        client.post(f"/memberships/{active_b.id}/role", data={"role": "admin"}),
        client.post(f"/memberships/{active_b.id}/revoke"),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    db.session.expire_all()
    assert db.session.get(OrgMembership, pending_b.id).status is MembershipStatus.pending
    active = db.session.get(OrgMembership, active_b.id)
    assert (active.status, active.role) == (MembershipStatus.active, OrgRole.member)
    # Its own organisation it does manage.
    assert client.get(f"/organisations/{org_a.id}/members").status_code == 200


def test_org_admin_promotes_and_revokes_members(client, make_user, make_org, make_member):
    org = make_org()
    org_admin = make_member(org, role="admin")
    member = make_member(org)
    link = membership(member, org)
    login(client, org_admin)
    client.post(f"/memberships/{link.id}/role", data={"role": "admin"})
    assert membership(member, org).role is OrgRole.admin
    (changed,) = audit_rows("membership.role_changed", object_id=str(link.id))
    assert changed.summary["before"] == {"role": "member"}
    assert changed.summary["after"] == {"role": "admin"}
    client.post(f"/memberships/{link.id}/revoke")
    assert membership(member, org).status is MembershipStatus.revoked
    assert org.id not in user_by_email(member.email).active_org_ids
    assert audit_rows("membership.revoked", object_id=str(link.id), actor_id=org_admin.id)


def test_org_admin_cannot_demote_or_revoke_self(client, make_org, make_member):
    org = make_org()
    org_admin = make_member(org, role="admin")
    link = membership(org_admin, org)
    login(client, org_admin)
    first = client.post(
        f"/memberships/{link.id}/role", data={"role": "member"}, follow_redirects=True
    )
    second = client.post(f"/memberships/{link.id}/revoke", follow_redirects=True)
    assert "Bạn không thể tự bỏ quyền quản trị tổ chức của mình." in flashes(first)
    assert "Bạn không thể tự rời khỏi vai trò quản trị theo cách này." in flashes(second)
    saved = membership(org_admin, org)
    assert (saved.status, saved.role) == (MembershipStatus.active, OrgRole.admin)


def test_join_unknown_organisation_is_404(client, make_user):
    login(client, make_user())
    assert client.get("/organisations/987654/join").status_code == 404


# --- the admin's user list --------------------------------------------------------------


@pytest.fixture
def population(make_user, make_org, make_member, make_platform_user, admin):
    org = make_org("Trường Đại học Nông Lâm Huế")
    people = {
        "admin": admin,
        "reviewer": make_platform_user(
            "reviewer", full_name="Phạm Quang Huy", email="huy@hue.edu.vn"
        ),
        "member": make_member(org, full_name="Lê Thị Ánh", email="anh.le@huaf.edu.vn"),
        "disabled": make_user("khoa@hue.edu.vn", full_name="Đặng Văn Khóa", is_active=False),
        "pending": make_user("cho@hue.edu.vn", full_name="Võ Thị Chờ"),
    }
    pending_request(people["pending"], org)
    return org, people


def listed(client, **query) -> set[str]:
    response = client.get("/admin/users", query_string=query)
    assert response.status_code == 200
    return set(re.findall(r"<small>([^<@]+@[^<]+)</small>", response.get_data(as_text=True)))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"admin", "reviewer", "member", "disabled", "pending"}),
        ({"role": "reviewer"}, {"reviewer"}),
        ({"role": "admin"}, {"admin"}),
        ({"role": "steering"}, set()),
        ({"role": "not-a-role"}, {"admin", "reviewer", "member", "disabled", "pending"}),
        ({"organisation": "ORG"}, {"member"}),
        ({"status": "disabled"}, {"disabled"}),
        ({"status": "active"}, {"admin", "reviewer", "member", "pending"}),
        ({"q": "Quang Huy"}, {"reviewer"}),
        ({"q": "HUAF.EDU"}, {"member"}),
        ({"q": "ánh"}, {"member"}),
        ({"q": "Ánh"}, {"member"}),
        ({"q": "le thi anh"}, {"member"}),
        ({"q": "khoa"}, {"disabled"}),
        ({"q": "hue.edu.vn", "status": "active"}, {"reviewer", "pending"}),
        ({"q": "100%"}, set()),
        ({"organisation": "abc"}, {"admin", "reviewer", "member", "disabled", "pending"}),
    ],
)
def test_user_list_filters(client, population, query, expected):
    org, people = population
    query = {k: (str(org.id) if v == "ORG" else v) for k, v in query.items()}
    login(client, people["admin"])
    emails = {name: user.email for name, user in people.items()}
    assert listed(client, **query) & set(emails.values()) == {emails[name] for name in expected}


def test_user_list_shows_roles_and_status(client, population):
    org, people = population
    login(client, people["admin"])
    text = html_text(client.get("/admin/users", query_string={"q": "khoa@hue.edu.vn"}))
    assert "Đặng Văn Khóa" in text and "Đã khóa" in text
    text = html_text(client.get("/admin/users", query_string={"role": "reviewer"}))
    assert "Chuyên gia phản biện" in text


def test_decision_mail_names_the_organisation_in_the_applicants_language(
    client, mailbox, make_user, make_org, make_member
):
    org = make_org("Công ty Cổ phần Dệt may Huế", name_en="Hue Textile and Garment JSC")
    applicant = make_user(locale="en")
    link = pending_request(applicant, org)
    login(client, make_member(org, role="admin"))
    client.post(f"/memberships/{link.id}/decide", data={"decision": "approve"})
    text = body(mailbox.one(applicant.email))
    assert "Hue Textile and Garment JSC" in text and "Dệt may" not in text


def test_decision_mail_subject_in_the_applicants_language(
    client, mailbox, make_user, make_org, make_member
):
    org = make_org()
    applicant = make_user(locale="en")
    link = pending_request(applicant, org)
    login(client, make_member(org, role="admin"))
    client.post(f"/memberships/{link.id}/decide", data={"decision": "refuse"})
    assert mailbox.one(applicant.email)["Subject"] == (
        "Your request to join the organisation was refused"
    )
