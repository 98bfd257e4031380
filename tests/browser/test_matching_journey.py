"""An enterprise posts a need and sees the matching research result with its explanation,
marks interest; the researcher accepts; both now see each other's contacts: in Chromium."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from ecosystem.auth.models import MembershipStatus, OrgMembership, OrgRole, User
from ecosystem.auth.operations import email_key
from ecosystem.auth.passwords import hash_password
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.registry import listing_operations as listing_ops
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.identifiers import organisation_name_key
from ecosystem.registry.models import Organisation, ResearchField
from tests.browser import support
from tests.browser.support import sign_out

pytestmark = pytest.mark.browser

PASSWORD = "Sông Hương chảy qua Huế 2026"
SECRET = "Bí quyết: màng zirconia phủ perovskit cho đầu dò oxy."


def _org(name: str, kind: OrgKind) -> Organisation:
    org = Organisation(kind=kind, name_vi=name, name_key=organisation_name_key(name))
    db.session.add(org)
    db.session.flush()
    return org


def _member(org: Organisation, name: str, email: str) -> User:
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
            user_id=user.id,
            organisation_id=org.id,
            role=OrgRole.admin,
            status=MembershipStatus.active,
        )
    )
    return user


@pytest.fixture
def partners(live_server):
    """A university with a published (confidential) result, an enterprise with no need yet."""
    tag = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        for code, vi, en in [("aquaculture", "Nuôi trồng thủy sản", "Aquaculture")]:
            if db.session.get(ResearchField, code) is None:
                db.session.add(ResearchField(code=code, name_vi=vi, name_en=en))
        university = _org(f"Trường Đại học Nông Lâm {tag}", OrgKind.university)
        enterprise = _org(f"Công ty TNHH Thủy sản Đầm Phá {tag}", OrgKind.enterprise)
        researcher = _member(university, "TS. Lê Thị Nghiên", f"nghien.{tag}@huaf.edu.vn")
        owner = _member(enterprise, "Trần Văn Doanh", f"doanh.{tag}@damphaxanh.vn")
        result = listing_ops.create_listing(
            "result",
            {
                "organisation_id": university.id,
                "title": f"Cảm biến IoT giám sát nước ao nuôi tôm {tag}",
                "summary": (
                    "Cảm biến IoT đo oxy hòa tan, độ mặn và pH của nước ao nuôi tôm thẻ chân "
                    "trắng, cảnh báo sớm qua điện thoại cho người nuôi ở đầm phá Tam Giang."
                ),
                "details": SECRET,
                "field_code": "aquaculture",
                "keywords": ["cảm biến IoT", "nuôi tôm", "oxy hòa tan"],
                "trl": 6,
                "ip_status": "patent_pending",
                "confidentiality": "after_introduction",
                "group_id": None,
                "language": "vi",
            },
            researcher,
            publish=True,
        )
        db.session.commit()
        data = {
            "tag": tag,
            "enterprise": enterprise.name_vi,
            "researcher_email": researcher.email,
            "owner_email": owner.email,
            "result_id": result.id,
            "result_title": result.title,
        }
        db.session.remove()
    return data


def sign_in(page, email: str) -> None:
    support.sign_in(page, email, PASSWORD)


def test_need_to_introduction_in_the_browser(page, live_server, partners):
    # The enterprise posts its need through the form.
    sign_in(page, partners["owner_email"])
    page.goto("/needs/new")
    page.get_by_label("Tên nhu cầu / bài toán").fill(
        f"Cần hệ thống giám sát chất lượng nước ao nuôi tôm {partners['tag']}"
    )
    page.get_by_label("Mô tả vấn đề").fill(
        "Ao nuôi tôm thẻ chân trắng thường thiếu oxy hòa tan vào ban đêm; cần cảm biến IoT "
        "đo độ mặn, pH và cảnh báo sớm cho người nuôi."
    )
    page.get_by_label("Lĩnh vực").select_option("aquaculture")
    page.get_by_label("TRL tối thiểu mong muốn").select_option("5")
    page.get_by_role("button", name="Lưu và đăng").click()
    expect(page).to_have_url(re.compile(r"/needs/\d+$"))

    # "Gợi ý phù hợp" on the need's page: the result, with why. The page did not wait for
    # matching (it runs after the response), so the proposal shows on a later visit.
    section = page.locator("section", has=page.get_by_role("heading", name="Gợi ý phù hợp"))
    card = section.locator("li[data-match]").filter(has_text=partners["result_title"])
    for _ in range(20):
        if card.count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Phù hợp vì:")
    expect(card).to_contain_text("cảm biến iot")
    card.get_by_role("link", name="Xem chi tiết và phản hồi").click()
    expect(page).to_have_url(re.compile(r"/matches/\d+$"))
    match_url = page.url
    expect(page.get_by_test_id("match-summary")).to_contain_text("Phù hợp vì:")
    expect(page.locator(".match-terms")).to_contain_text("%")
    expect(page.get_by_test_id("contacts")).to_have_count(0)
    page.get_by_test_id("interest").click()
    expect(page.get_by_text("Đã ghi nhận. Khi cả hai bên đồng ý")).to_be_visible()
    expect(page.get_by_test_id("interest")).to_have_count(0)
    expect(page.get_by_test_id("contacts")).to_have_count(0)
    # The confidential details are still closed.
    page.goto(f"/results/{partners['result_id']}")
    expect(page.get_by_test_id("details-locked")).to_be_visible()
    sign_out(page)

    # The researcher is told, opens the proposal and accepts.
    mail = live_server.mailbox.one(partners["researcher_email"])
    assert match_url.removeprefix(live_server.url) in mail.get_body().get_content()
    sign_in(page, partners["researcher_email"])
    page.goto("/notifications")
    page.get_by_role("link", name=re.compile(partners["enterprise"])).first.click()
    expect(page).to_have_url(match_url)
    expect(page.get_by_text("Bên kia: đã quan tâm")).to_be_visible()
    page.get_by_test_id("interest").click()
    contacts = page.get_by_test_id("contacts")
    expect(contacts).to_contain_text(partners["owner_email"])
    expect(page.locator("h1")).to_contain_text("Đã kết nối")
    sign_out(page)

    # The enterprise now sees the researcher's contacts and the confidential details.
    sign_in(page, partners["owner_email"])
    page.goto(match_url)
    expect(page.get_by_test_id("contacts")).to_contain_text(partners["researcher_email"])
    page.goto(f"/results/{partners['result_id']}")
    expect(page.get_by_test_id("details")).to_have_text(SECRET)
