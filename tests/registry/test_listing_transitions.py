"""The listing life cycle as data: each transition refuses a wrong state and a user without
the permission with a clear message, and ``allowed_transitions`` offers what each role may
do in each state."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from ecosystem.core.audit import AuditEvent
from ecosystem.core.errors import UserError
from ecosystem.core.transitions import allowed_names
from ecosystem.extensions import db
from ecosystem.registry import listing_operations as ops
from ecosystem.registry.enums import ListingState
from tests.auth_helpers import login

S = ListingState
OWNERS = ("draft", "published", "expired", "archived", "hidden")
WRONG_STATE = {
    "publish": ("Hồ sơ này đang được đăng.", ["published", "expired"]),
    "renew": ("Chỉ gia hạn được hồ sơ đang đăng.", ["draft", "archived"]),
    "archive": ("Hồ sơ này đã được lưu trữ.", ["archived"]),
    "hide": ("Hồ sơ này đang bị ẩn.", ["hidden"]),
    "unhide": ("Hồ sơ này không bị ẩn.", ["draft", "published", "archived"]),
}
DATA = {"hide": {"reason": "Sai lĩnh vực"}}


def audit_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def snapshot(listing) -> tuple:
    return (listing.state, listing.expires_at, listing.hidden_at, listing.published_at)


@pytest.mark.parametrize(
    ("name", "start"),
    [(name, start) for name, (_, starts) in WRONG_STATE.items() for start in starts],
)
def test_each_transition_refuses_a_wrong_state(world, make_listing, name, start):
    listing = make_listing("need", world.owner, state=start)
    before, rows = snapshot(listing), audit_rows()
    admin = world.users["platform_admin"]  # may do everything: only the state refuses
    with current_app.test_request_context(), pytest.raises(UserError) as refused:
        ops.change_listing_state(listing, name, admin, **DATA.get(name, {}))
    assert refused.value.message == WRONG_STATE[name][0]
    assert refused.value.status == 422
    assert snapshot(listing) == before
    assert audit_rows() == rows


START = {"publish": "draft", "renew": "published", "archive": "published", "unhide": "hidden"}
REFUSED = {
    name: ["outsider", "other_member"] + (["member", "org_admin"] if "hide" in name else [])
    for name in WRONG_STATE
}


@pytest.mark.parametrize(
    ("name", "role"), [(name, role) for name, roles in REFUSED.items() for role in roles]
)
def test_each_transition_refuses_a_user_without_permission(world, make_listing, name, role):
    listing = make_listing("result", world.owner, state=START.get(name, "published"))
    before, rows = snapshot(listing), audit_rows()
    with current_app.test_request_context(), pytest.raises(UserError) as refused:
        ops.change_listing_state(listing, name, world.users[role], **DATA.get(name, {}))
    assert refused.value.message == "Bạn không có quyền thực hiện thao tác này."
    assert refused.value.status == 403
    assert snapshot(listing) == before
    assert audit_rows() == rows


# What the owners are offered by state; a platform administrator also hides or shows again.
BY_STATE = {
    "draft": {"publish", "archive"},
    "published": {"renew", "archive"},
    "expired": {"renew", "archive"},
    "archived": {"publish"},
    "hidden": {"renew", "archive"},
}


@pytest.mark.parametrize(
    "role", ["member", "org_admin", "platform_admin", "outsider", "other_member"]
)
@pytest.mark.parametrize("state", OWNERS)
def test_allowed_transitions_per_role_and_state(world, make_listing, state, role):
    listing = make_listing("startup", world.owner, state=state)
    expected = set() if role in ("outsider", "other_member") else set(BY_STATE[state])
    if role == "platform_admin":
        expected.add("unhide" if state == "hidden" else "hide")
    assert allowed_names(listing, world.users[role]) == expected


def test_the_platform_acts_without_a_person_and_is_offered_nothing_on_the_page(
    client, world, make_listing
):
    listing = make_listing("investor", world.owner)
    ops.archive_listing("investor", listing, None)
    assert listing.state is S.archived
    row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "investor.archived")
    ).one()
    assert row.actor_id is None and row.object_id == str(listing.id)
    visible = make_listing("investor", world.owner)
    page = client.get(f"/investors/{visible.id}")  # anonymous
    assert page.status_code == 200
    assert 'name="action"' not in page.get_data(as_text=True)


def test_detail_page_shows_the_offered_buttons_only(client, world, make_listing):
    listing = make_listing("result", world.owner, state="archived")
    login(client, world.users["member"])
    page = client.get(f"/results/{listing.id}").get_data(as_text=True)
    assert 'value="publish"' in page
    assert 'value="archive"' not in page and 'value="renew"' not in page
    assert f"/results/{listing.id}/hide" not in page
