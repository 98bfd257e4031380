"""The shared labs in Chromium: an enterprise user finds a piece of equipment and books it;
the lab manager approves; the calendar and the user's iCalendar feed show it; the manager
checks the equipment in and out; the month's statement shows the fee."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import icalendar
import pytest
from playwright.sync_api import expect

from ecosystem.auth.models import MembershipStatus, OrgMembership, OrgRole, User
from ecosystem.auth.operations import email_key
from ecosystem.auth.passwords import hash_password
from ecosystem.core.formatting import LOCAL_TZ
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.labs.models import Equipment, Lab
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.identifiers import organisation_name_key
from ecosystem.registry.models import Organisation
from tests.browser import support
from tests.browser.support import sign_out

pytestmark = pytest.mark.browser

PASSWORD = "Phòng thí nghiệm Huế 2026"


def _org(name: str, kind: OrgKind) -> Organisation:
    org = Organisation(kind=kind, name_vi=name, name_key=organisation_name_key(name))
    db.session.add(org)
    db.session.flush()
    return org


def _user(email: str, name: str, org: Organisation, role: OrgRole) -> User:
    user = User(
        email=email,
        email_key=email_key(email),
        full_name=name,
        password_hash=hash_password(PASSWORD),
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(
        OrgMembership(
            user_id=user.id, organisation_id=org.id, role=role, status=MembershipStatus.active
        )
    )
    return user


@pytest.fixture
def lab_world(live_server):
    tag = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        operator = _org(f"Viện Công nghệ sinh học {tag}", OrgKind.research_institute)
        company = _org(f"Công ty Thực phẩm Cố Đô {tag}", OrgKind.enterprise)
        emails = {"company": f"kythuat.{tag}@codo.vn", "manager": f"ptn.{tag}@ibt.edu.vn"}
        _user(emails["company"], f"Kỹ sư Cố Đô {tag}", company, OrgRole.member)
        manager = _user(emails["manager"], f"Quản lý PTN {tag}", operator, OrgRole.member)
        lab = Lab(
            organisation_id=operator.id,
            manager_id=manager.id,
            name_vi=f"Phòng thí nghiệm Sinh học phân tử {tag}",
            opening_hours={str(d): [0, 1440] for d in range(7)},
        )
        equipment = Equipment(
            lab=lab,
            name_vi=f"Máy giải trình tự gen {tag}",
            category="Sinh học phân tử",
            cost_maintenance=40_000,
            cost_repair=20_000,
            cost_operation=60_000,
            cost_depreciation=80_000,
            min_minutes=30,
            max_minutes=240,
        )
        db.session.add_all([lab, equipment])
        db.session.commit()
        return {"tag": tag, "emails": emails, "lab_id": lab.id, "equipment": equipment.name_vi}


def sign_in(page, email: str) -> None:
    support.sign_in(page, email, PASSWORD)


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def test_an_enterprise_books_equipment_and_is_charged_at_cost(page, lab_world, live_server):
    emails, tag = lab_world["emails"], lab_world["tag"]
    # The enterprise finds the equipment in the catalogue and asks for the next hour.
    sign_in(page, emails["company"])
    page.goto("/labs/")
    page.get_by_label("Từ khóa").fill(f"may giai trinh tu {tag}")  # typed without diacritics
    button(page, "Tìm").click()
    page.get_by_role("link", name=lab_world["equipment"]).click()
    expect(page.locator("#fee-basis")).to_contain_text("200.000 ₫")
    start = (utcnow() + dt.timedelta(minutes=10)).astimezone(LOCAL_TZ)
    end = start + dt.timedelta(hours=1)
    page.locator("#start_date").fill(start.strftime("%d/%m/%Y"))
    page.locator("#start_time").fill(start.strftime("%H:%M"))
    page.locator("#end_date").fill(end.strftime("%d/%m/%Y"))
    page.locator("#end_time").fill(end.strftime("%H:%M"))
    page.locator("#book").click()
    expect(page.locator("#booking-state")).to_have_text("Chờ phê duyệt")
    booking_url = page.url
    sign_out(page)

    # The lab manager approves it from the lab's page.
    sign_in(page, emails["manager"])
    page.goto(f"/labs/{lab_world['lab_id']}/manage")
    pending = page.locator("#pending")
    expect(pending).to_contain_text(f"Kỹ sư Cố Đô {tag}")
    pending.get_by_role("button", name="Phê duyệt").click()
    expect(page.get_by_text("Đã cập nhật lượt đặt.")).to_be_visible()
    expect(pending).to_contain_text("Không có yêu cầu nào.")
    sign_out(page)

    # The user's calendar and iCalendar feed show the approved booking.
    sign_in(page, emails["company"])
    page.goto(booking_url)
    expect(page.locator("#booking-state")).to_have_text("Đã phê duyệt")
    page.get_by_role("link", name=lab_world["equipment"]).click()
    expect(page.locator(".lab-week")).to_contain_text(start.strftime("%d/%m/%Y %H:%M"))
    page.goto("/labs/bookings")
    page.get_by_role("link", name="Lịch iCalendar").click()
    page.locator("#new-feed-button").click()
    feed_url = page.locator("#new-feed").input_value()
    feed = page.request.get(feed_url)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert lab_world["equipment"] in str(event["SUMMARY"])
    assert event.decoded("DTSTART") == start.replace(second=0, microsecond=0)
    sign_out(page)

    # The manager checks the equipment in and out.
    sign_in(page, emails["manager"])
    page.goto(booking_url)
    button(page, "Nhận thiết bị (bắt đầu sử dụng)").click()
    expect(page.locator("#booking-state")).to_have_text("Đang sử dụng")
    button(page, "Trả thiết bị (kết thúc sử dụng)").click()
    expect(page.locator("#booking-state")).to_have_text("Đã hoàn thành")
    # A few seconds of use are billed as a quarter hour at cost: 200.000 ₫ / 4.
    expect(page.locator("#fee")).to_contain_text("50.000 ₫")
    sign_out(page)

    # The month's statement of the enterprise shows the fee and its basis.
    sign_in(page, emails["company"])
    page.goto("/labs/statements")
    statement = page.locator(".statement", has_text=f"Công ty Thực phẩm Cố Đô {tag}")
    expect(statement).to_contain_text(lab_world["equipment"])
    expect(statement.locator(".statement-total")).to_have_text("50.000 ₫")
    expect(statement).to_contain_text(re.compile(r"khấu hao 80\.000 ₫"))
