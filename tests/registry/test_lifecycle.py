"""Life cycle of listings: draft → published (expires) → renewed / archived; hidden by an
administrator with a reason (audited, owners e-mailed)."""

from __future__ import annotations

import datetime as dt

import pytest

from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.registry.enums import ListingState
from ecosystem.registry.models import LISTING_MODELS
from tests.auth_helpers import login, logout
from tests.builders import expire_listing
from tests.registry.support import (
    audit_count,
    audit_rows,
    clear_mail,
    flashes,
    mails,
    result_links,
)

KINDS = ("result", "need", "startup", "investor")
TITLE = {"result": "title", "need": "title", "startup": "name", "investor": "name"}


def reload(listing):
    db.session.expire_all()
    return db.session.get(type(listing), listing.id)


def public_channels(client, kind: str, listing) -> dict[str, bool]:
    """Where the signed-in (or anonymous) visitor of ``client`` sees the listing."""
    link = f"/{kind}s/{listing.id}"
    title = getattr(listing, TITLE[kind])
    return {
        "detail": client.get(link).status_code == 200,
        "list": link in result_links(client.get(f"/{kind}s/")),
        "search": link in result_links(client.get("/search", query_string={"q": title})),
        "organisation": link in client.get(f"/organisations/{listing.organisation_id}").text,
    }


EVERYWHERE = {"detail": True, "list": True, "search": True, "organisation": True}
NOWHERE = dict.fromkeys(EVERYWHERE, False)


@pytest.fixture
def expiry_days(app):
    previous = app.config["LISTING_EXPIRY_DAYS"]
    app.config["LISTING_EXPIRY_DAYS"] = 30
    yield 30
    app.config["LISTING_EXPIRY_DAYS"] = previous


@pytest.fixture
def mailbox(app):
    folder = app.config["MAIL_FILE_DIR"]
    clear_mail(folder)
    return folder


@pytest.mark.parametrize("kind", KINDS)
def test_publish_sets_expiry(client, world, make_listing, expiry_days, kind):
    draft = make_listing(kind, world.owner, state="draft")
    assert draft.expires_at is None
    login(client, world.users["member"])
    published_before = len(audit_rows(f"{kind}.published"))
    response = client.post(f"/{kind}s/{draft.id}/state", data={"action": "publish"})
    assert response.status_code == 302
    listing = reload(draft)
    assert listing.state is ListingState.published
    expected = utcnow() + dt.timedelta(days=expiry_days)
    assert abs(listing.expires_at - expected) < dt.timedelta(minutes=1)
    assert listing.published_at is not None
    assert len(audit_rows(f"{kind}.published")) == published_before + 1


def test_save_and_publish_or_save_draft_from_the_form(client, world, fields, expiry_days):
    login(client, world.users["member"])
    form = {
        "organisation_id": str(world.owner.id),
        "title": "Máy bóc vỏ hạt sen tự động",
        "summary": "Máy bóc vỏ và lấy tim hạt sen, năng suất 50 kg/giờ.",
        "field_code": "agriculture",
        "trl": "7",
        "ip_status": "utility_solution",
        "confidentiality": "public",
        "group_id": "0",
    }
    model = LISTING_MODELS["result"]
    for publish, state in (("1", ListingState.published), ("0", ListingState.draft)):
        response = client.post("/results/new", data={**form, "publish": publish})
        assert response.status_code == 302
        item_id = int(response.headers["Location"].rsplit("/", 1)[1])
        db.session.expire_all()
        listing = db.session.get(model, item_id)
        assert listing.state is state
        assert (listing.expires_at is not None) is (state is ListingState.published)
    logout(client)
    assert len(result_links(client.get("/search?q=may boc vo hat sen"))) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_expired_listing_leaves_public_channels_until_renewed(
    client, world, make_listing, expiry_days, kind
):
    listing = make_listing(kind, world.owner)
    assert public_channels(client, kind, listing) == EVERYWHERE  # anonymous
    expire_listing(kind, listing)

    login(client, world.users["outsider"])
    assert public_channels(client, kind, listing) == NOWHERE
    logout(client)
    assert public_channels(client, kind, listing) == NOWHERE

    login(client, world.users["member"])
    assert public_channels(client, kind, listing) == EVERYWHERE
    page = client.get(f"/{kind}s/{listing.id}").text
    assert "Đã hết hạn ngày" in page
    assert 'value="renew"' in page
    renewed_before = len(audit_rows(f"{kind}.renewed"))
    response = client.post(f"/{kind}s/{listing.id}/state", data={"action": "renew"})
    assert response.status_code == 302
    assert len(audit_rows(f"{kind}.renewed")) == renewed_before + 1
    renewed = reload(listing)
    expected = utcnow() + dt.timedelta(days=expiry_days)
    assert abs(renewed.expires_at - expected) < dt.timedelta(minutes=1)

    logout(client)
    login(client, world.users["outsider"])
    assert public_channels(client, kind, listing) == EVERYWHERE


@pytest.mark.parametrize("kind", KINDS)
def test_hide_with_reason(client, world, make_listing, mailbox, kind):
    listing = make_listing(kind, world.owner)
    admin = world.users["platform_admin"]
    login(client, admin)
    reason = "Thông tin liên hệ sai, đề nghị cập nhật"
    response = client.post(f"/{kind}s/{listing.id}/hide", data={"reason": reason})
    assert response.status_code == 302
    assert "Đã ẩn hồ sơ và báo cho chủ hồ sơ." in flashes(client.get(response.headers["Location"]))

    hidden = reload(listing)
    assert hidden.hidden_at is not None and hidden.hidden_reason == reason
    rows = audit_rows(f"{kind}.hidden")
    assert len(rows) == 1
    assert rows[0].actor_id == admin.id
    assert rows[0].object_id == str(listing.id)
    assert reason in str(rows[0].summary)

    sent = mails(mailbox)
    owners = {world.users["member"].email, world.users["org_admin"].email}
    assert {m["To"] for m in sent} == owners
    for message in sent:
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert reason in body
        assert f"/{kind}s/{listing.id}" in body

    logout(client)
    assert public_channels(client, kind, listing) == NOWHERE
    login(client, world.users["other_member"])
    assert public_channels(client, kind, listing) == NOWHERE
    logout(client)
    login(client, world.users["member"])
    assert public_channels(client, kind, listing) == EVERYWHERE
    assert reason in client.get(f"/{kind}s/{listing.id}").text

    # The owner cannot publish it back into view.
    client.post(f"/{kind}s/{listing.id}/state", data={"action": "publish"})
    client.post(f"/{kind}s/{listing.id}/state", data={"action": "renew"})
    logout(client)
    assert public_channels(client, kind, listing) == NOWHERE

    login(client, admin)
    response = client.post(f"/{kind}s/{listing.id}/unhide")
    assert response.status_code == 302
    assert len(audit_rows(f"{kind}.unhidden")) == 1
    logout(client)
    assert public_channels(client, kind, listing) == EVERYWHERE


def test_hide_needs_a_reason(client, world, make_result, mailbox):
    listing = make_result(world.owner)
    login(client, world.users["platform_admin"])
    audits = audit_count()
    response = client.post(f"/results/{listing.id}/hide", data={"reason": "   "})
    assert response.status_code == 302
    assert "Hãy nêu lý do ẩn hồ sơ." in flashes(client.get(response.headers["Location"]))
    assert reload(listing).hidden_at is None
    assert audit_count() == audits
    assert mails(mailbox) == []


def test_hide_twice_and_unhide_a_visible_listing_are_refused(client, world, make_result, mailbox):
    listing = make_result(world.owner, state="hidden")
    visible = make_result(world.owner)
    clear_mail(mailbox)
    login(client, world.users["platform_admin"])
    audits = audit_count()
    response = client.post(f"/results/{listing.id}/hide", data={"reason": "Lần nữa"})
    assert "Hồ sơ này đang bị ẩn." in flashes(client.get(response.headers["Location"]))
    assert mails(mailbox) == []
    response = client.post(f"/results/{visible.id}/unhide")
    assert "Hồ sơ này không bị ẩn." in flashes(client.get(response.headers["Location"]))
    assert audit_count() == audits


@pytest.mark.parametrize("kind", KINDS)
def test_archive(client, world, make_listing, kind):
    listing = make_listing(kind, world.owner)
    login(client, world.users["org_admin"])
    response = client.post(f"/{kind}s/{listing.id}/state", data={"action": "archive"})
    assert response.status_code == 302
    assert reload(listing).state is ListingState.archived
    assert len(audit_rows(f"{kind}.archived")) == 1
    assert "Đã lưu trữ" in client.get(f"/{kind}s/{listing.id}").text
    assert public_channels(client, kind, listing) == EVERYWHERE  # the owners still see it

    audits = audit_count()
    for action, message in (
        ("archive", "Hồ sơ này đã được lưu trữ."),
        ("renew", "Chỉ gia hạn được hồ sơ đang đăng."),
    ):
        response = client.post(f"/{kind}s/{listing.id}/state", data={"action": action})
        assert message in flashes(client.get(response.headers["Location"]))
    assert audit_count() == audits
    assert reload(listing).state is ListingState.archived

    logout(client)
    login(client, world.users["outsider"])
    assert public_channels(client, kind, listing) == NOWHERE


def test_archived_listing_can_be_published_again(client, world, make_need, expiry_days):
    listing = make_need(world.owner, state="archived")
    login(client, world.users["member"])
    client.post(f"/needs/{listing.id}/state", data={"action": "publish"})
    republished = reload(listing)
    assert republished.state is ListingState.published and republished.is_public
    logout(client)
    assert public_channels(client, "need", listing) == EVERYWHERE


def test_publishing_a_public_listing_again_is_refused(client, world, make_result):
    listing = make_result(world.owner)
    expires = listing.expires_at
    login(client, world.users["member"])
    audits = audit_count()
    response = client.post(f"/results/{listing.id}/state", data={"action": "publish"})
    assert "Hồ sơ này đang được đăng." in flashes(client.get(response.headers["Location"]))
    assert reload(listing).expires_at == expires
    assert audit_count() == audits


@pytest.mark.parametrize("action", ["", "delete", "PUBLISH"])
def test_unknown_state_action_is_a_bad_request(client, world, make_result, action):
    listing = make_result(world.owner)
    login(client, world.users["member"])
    response = client.post(f"/results/{listing.id}/state", data={"action": action})
    assert response.status_code == 400
    assert reload(listing).state is ListingState.published


def test_missing_listing_is_404(client, world):
    login(client, world.users["platform_admin"])
    for url in ("/results/999999", "/needs/999999/edit"):
        assert client.get(url).status_code == 404
    assert client.post("/startups/999999/state", data={"action": "publish"}).status_code == 404
    assert client.post("/investors/999999/hide", data={"reason": "x"}).status_code == 404
