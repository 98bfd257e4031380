"""The fund in Chromium: an introduction becomes an application → screening → two reviews
→ committee decision → contract → milestone report → disbursement. Screenshots of the
committee view are saved to build/screenshots/ (SCREENSHOT_DIR to change it)."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ecosystem.auth.models import (
    MembershipStatus,
    OrgMembership,
    OrgRole,
    PlatformRole,
    User,
    UserRole,
)
from ecosystem.auth.operations import email_key
from ecosystem.auth.passwords import hash_password
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.matching.models import Match, MatchState
from ecosystem.matching.signals import paused
from ecosystem.registry import listing_operations
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.identifiers import organisation_name_key
from ecosystem.registry.models import Membership, Organisation, Person, ResearchField
from ecosystem.workflow.models import CallState, FundCall, FundCycle
from tests.browser import support
from tests.browser.support import sign_out

pytestmark = pytest.mark.browser

PASSWORD = "Quỹ KH&CN Huế 2026"
SHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "build" / "screenshots")
)


def _user(email: str, name: str, *, org=None, role: str | None = None) -> User:
    user = User(
        email=email,
        email_key=email_key(email),
        full_name=name,
        password_hash=hash_password(PASSWORD),
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    if org is not None:
        db.session.add(
            OrgMembership(
                user_id=user.id,
                organisation_id=org.id,
                role=OrgRole.admin,
                status=MembershipStatus.active,
            )
        )
    if role is not None:
        db.session.add(UserRole(user_id=user.id, role=PlatformRole(role)))
    return user


def _org(name: str, kind: OrgKind) -> Organisation:
    org = Organisation(kind=kind, name_vi=name, name_key=organisation_name_key(name))
    db.session.add(org)
    db.session.flush()
    return org


@pytest.fixture
def fund_world(live_server):
    tag = uuid.uuid4().hex[:6]
    with live_server.app.app_context(), paused():
        if db.session.get(ResearchField, "aquaculture") is None:
            db.session.add(
                ResearchField(code="aquaculture", name_vi="Thủy sản", name_en="Aquaculture")
            )
        university = _org(f"Trường Đại học Thủy sản {tag}", OrgKind.university)
        company = _org(f"Công ty Tôm Sạch {tag}", OrgKind.enterprise)
        institute = _org(f"Viện Nghiên cứu Độc lập {tag}", OrgKind.research_institute)
        emails = {
            "company": f"giamdoc.{tag}@tomsach.vn",
            "researcher": f"nghiencuu.{tag}@dhts.edu.vn",
            "manager": f"quy.{tag}@hue.gov.vn",
            "expert1": f"chuyengia1.{tag}@vien.vn",
            "expert2": f"chuyengia2.{tag}@vien.vn",
        }
        _user(emails["company"], "Giám đốc Tôm Sạch", org=company)
        _user(emails["researcher"], "TS. Nghiên Cứu", org=university)
        _user(emails["manager"], "Cán bộ Quỹ", role="fund_manager")
        for key, name, expertise in (
            ("expert1", f"PGS. Lọc Sinh Học {tag}", ["nuôi tôm", "lọc sinh học", "tuần hoàn"]),
            ("expert2", f"TS. Tôm Giống {tag}", ["tôm giống", "nuôi tôm", "bệnh tôm"]),
        ):
            expert = _user(emails[key], name, role="reviewer")
            person = Person(full_name=name, expertise=expertise, user_id=expert.id)
            person.memberships = [Membership(organisation_id=institute.id)]
            db.session.add(person)
        result = listing_operations.create_listing(
            "result",
            {
                "organisation_id": university.id,
                "title": f"Hệ thống nuôi tôm tuần hoàn lọc sinh học {tag}",
                "summary": "Lọc sinh học tái sử dụng 80% nước nuôi tôm.",
                "field_code": "aquaculture",
                "trl": 6,
            },
            None,
            publish=True,
        )
        need = listing_operations.create_listing(
            "need",
            {
                "organisation_id": company.id,
                "title": f"Cần giảm nước thay ao nuôi tôm {tag}",
                "problem": "Thiếu nước ngọt mùa khô.",
                "field_code": "aquaculture",
                "trl_wanted": 5,
            },
            None,
            publish=True,
        )
        now = utcnow()
        match = Match(
            source_kind="need",
            source_id=need.id,
            target_kind="result",
            target_id=result.id,
            source_org_id=company.id,
            target_org_id=university.id,
            state=MatchState.introduced,
            source_interested_at=now,
            target_interested_at=now,
            introduced_at=now,
        )
        db.session.add(match)
        if db.session.scalar(db.select(FundCycle.id).limit(1)) is None:
            db.session.add(
                FundCycle(
                    name=f"Chu kỳ {tag}",
                    starts_on=now.date() - dt.timedelta(days=30),
                    ends_on=now.date() + dt.timedelta(days=900),
                    charter_capital=100_000_000_000,
                )
            )
        call = FundCall(
            title_vi=f"Đợt gọi đầm phá {tag}",
            budget=3_000_000_000,
            min_amount=100_000_000,
            max_amount=1_000_000_000,
            cofunding_percent=30,
            opens_at=now - dt.timedelta(days=5),
            closes_at=now + dt.timedelta(days=20),
            rubric=[
                {"key": "moi", "label_vi": "Tính mới", "label_en": "Novelty", "weight": 2},
                {"key": "khathi", "label_vi": "Khả thi", "label_en": "Feasibility", "weight": 1},
            ],
            state=CallState.open,
        )
        db.session.add(call)
        db.session.commit()
        return {
            "tag": tag,
            "emails": emails,
            "match_id": match.id,
            "call": call.title_vi,
            "experts": [f"PGS. Lọc Sinh Học {tag}", f"TS. Tôm Giống {tag}"],
        }


def sign_in(page, email: str) -> None:
    support.sign_in(page, email, PASSWORD)


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def test_an_introduction_becomes_a_funded_project(page, fund_world):
    emails = fund_world["emails"]
    # The enterprise starts from the introduction and completes the draft.
    sign_in(page, emails["company"])
    page.goto(f"/matches/{fund_world['match_id']}")
    page.get_by_role("link", name="Lập hồ sơ xin Quỹ KH&CN tài trợ cho hợp tác này").click()
    page.get_by_label(re.compile(fund_world["call"])).check()
    button(page, "Tạo bản nháp hồ sơ").click()
    expect(page.get_by_label("Tên dự án")).to_have_value(re.compile("Hệ thống nuôi tôm tuần hoàn"))
    page.get_by_label("Kinh phí đề nghị Quỹ hỗ trợ (₫)").fill("600.000.000")
    page.get_by_label("Vốn đối ứng (₫)", exact=True).fill("300.000.000")
    page.get_by_label("Nội dung chi 1").fill("Thiết bị lọc sinh học")
    page.get_by_label("Quỹ hỗ trợ (₫) 1").fill("600.000.000")
    page.get_by_label("Đối ứng (₫) 1").fill("300.000.000")
    button(page, "Lưu hồ sơ").click()
    expect(page.get_by_text("Đã lưu hồ sơ.")).to_be_visible()
    application_url = page.url
    button(page, "Nộp hồ sơ").click()
    expect(page.locator("#application-state")).to_have_text("Đã nộp")
    sign_out(page)

    # The fund screens it and invites the two suggested experts.
    sign_in(page, emails["manager"])
    page.goto(application_url)
    button(page, "Hợp lệ, chuyển thẩm định").click()
    expect(page.locator("#application-state")).to_have_text("Đang thẩm định")
    page.get_by_role("link", name="Chuyên gia thẩm định").click()
    for name in fund_world["experts"]:
        card = page.locator("#suggestions .list-group-item", has_text=name)
        card.get_by_role("button", name="Mời thẩm định").click()
        expect(page.get_by_text("Đã mời chuyên gia thẩm định.")).to_be_visible()
    sign_out(page)

    # Each expert declares no conflict, then scores on the rubric.
    for key, scores in (("expert1", ("5", "4")), ("expert2", ("2", "3"))):
        sign_in(page, emails[key])
        page.goto("/fund/reviews")
        page.locator(".list-group-item").first.click()
        expect(page.get_by_text("Cam kết về xung đột lợi ích")).to_be_visible()
        button(page, "Tôi cam kết không có xung đột lợi ích").click()
        page.get_by_label(re.compile("^Tính mới")).fill(scores[0])
        page.get_by_label(re.compile("^Khả thi")).fill(scores[1])
        page.get_by_label(re.compile("^Nhận xét chung")).fill("Có khả năng nhân rộng ở Tam Giang.")
        button(page, "Nộp nhận xét").click()
        expect(page.get_by_text("Đã nộp nhận xét.")).to_be_visible()
        sign_out(page)

    # The committee ranks, decides; the fund signs the contract.
    sign_in(page, emails["manager"])
    page.goto(application_url)
    button(page, "Chuyển Hội đồng").click()
    expect(page.locator("#application-state")).to_have_text("Chờ Hội đồng")
    page.goto(application_url.rsplit("/applications/", 1)[0] + "/")
    page.get_by_role("link", name=fund_world["call"]).click()
    page.get_by_role("link", name="Hội đồng xét chọn").click()
    table = page.locator("#committee")
    expect(table).to_contain_text("Hệ thống nuôi tôm tuần hoàn")
    expect(table).to_contain_text("2/2")
    expect(table).to_contain_text("cần thảo luận")  # 4.67 against 2.33
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "fund-committee.png"), full_page=True)
    page.goto(application_url)
    page.get_by_label(re.compile("^Lý do, nội dung yêu cầu")).fill(
        "Xếp hạng 1; phù hợp mục tiêu đợt gọi."
    )
    button(page, "Phê duyệt").click()
    expect(page.locator("#application-state")).to_have_text("Được phê duyệt")
    page.get_by_role("link", name="Hợp đồng và giải ngân").click()
    page.get_by_label("Số hợp đồng").fill(f"HĐ-{fund_world['tag']}")
    page.get_by_label("Ngày ký").fill(utcnow().date().strftime("%d/%m/%Y"))
    page.get_by_label("Giá trị hợp đồng (₫)").fill("600.000.000")
    page.get_by_label("Vốn đối ứng (₫)").fill("300.000.000")
    page.get_by_label("Nội dung mốc 1").fill("Lắp đặt hệ thống lọc")
    page.get_by_label("Số tiền (₫) 1").fill("600.000.000")
    page.get_by_label("Hạn (dd/mm/yyyy) 1").fill(
        (utcnow().date() + dt.timedelta(days=60)).strftime("%d/%m/%Y")
    )
    button(page, "Ký hợp đồng").click()
    expect(page.get_by_text("Đã ký hợp đồng.")).to_be_visible()
    award_url = page.url
    sign_out(page)

    # The grantee reports; the fund accepts and pays.
    sign_in(page, emails["company"])
    page.goto(award_url)
    page.get_by_label("Báo cáo kết quả của mốc").fill("Đã lắp đặt, chạy thử 30 ngày.")
    button(page, "Gửi báo cáo").click()
    expect(page.get_by_text("Đã báo cáo, chờ duyệt")).to_be_visible()
    sign_out(page)
    sign_in(page, emails["manager"])
    page.goto(award_url)
    button(page, "Chấp nhận").click()
    page.get_by_label("Số tiền (₫)").fill("600.000.000")
    page.get_by_label("Ngày chi").fill(utcnow().date().strftime("%d/%m/%Y"))
    page.get_by_label("Số chứng từ").fill("UNC-001")
    button(page, "Ghi nhận giải ngân").click()
    expect(page.get_by_text("Đã ghi nhận giải ngân.")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Đã giải ngân 600\.000\.000 ₫ / 600\.000\.000 ₫ \(100%\)"))
    ).to_be_visible()
