"""A researcher posts a research result and finds it with a query typed without
diacritics; a user of an enterprise opens it and cannot edit it: in Chromium."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from ecosystem.auth.models import MembershipStatus, OrgMembership, OrgRole, User
from ecosystem.auth.operations import email_key
from ecosystem.auth.passwords import hash_password
from ecosystem.core.models import utcnow
from ecosystem.core.text import fold
from ecosystem.extensions import db
from ecosystem.registry import operations as ops
from ecosystem.registry.models import ResearchField
from tests.browser import support
from tests.browser.support import sign_out

pytestmark = pytest.mark.browser

PASSWORD = "Chùa Thiên Mụ bên sông 2026"


def _user(name: str, email: str, org_id: int) -> User:
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
            organisation_id=org_id,
            role=OrgRole.member,
            status=MembershipStatus.active,
        )
    )
    return user


@pytest.fixture
def people(live_server):
    """A researcher of a university and a user of an enterprise, with their e-mails."""
    tag = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        for code, vi, en in [("aquaculture", "Nuôi trồng thủy sản", "Aquaculture")]:
            if db.session.get(ResearchField, code) is None:
                db.session.add(ResearchField(code=code, name_vi=vi, name_en=en))
        university = ops.create_organisation(
            {"kind": "university", "name_vi": f"Trường Đại học Nông Lâm {tag}"}, None
        )
        enterprise = ops.create_organisation(
            {"kind": "enterprise", "name_vi": f"Công ty TNHH Thủy sản Tam Giang {tag}"}, None
        )
        researcher = _user("TS. Hoàng Thị Sen", f"sen.{tag}@huaf.edu.vn", university.id)
        buyer = _user("Lê Văn Mua", f"mua.{tag}@tamgiang.vn", enterprise.id)
        db.session.commit()
        return {"tag": tag, "researcher": researcher.email, "buyer": buyer.email}


def sign_in(page, email: str) -> None:
    support.sign_in(page, email, PASSWORD)


def test_researcher_posts_and_finds_a_result_an_enterprise_cannot_edit_it(page, people):
    title = f"Chế phẩm vi sinh xử lý đáy ao nuôi tôm {people['tag']}"

    # The researcher posts a result from the list page's button.
    sign_in(page, people["researcher"])
    page.goto("/results/")
    page.get_by_role("link", name="Đăng kết quả nghiên cứu").click()
    expect(page).to_have_url(re.compile(r"/results/new$"))
    page.get_by_label("Tên kết quả / công nghệ").fill(title)
    page.get_by_label("Tóm tắt công khai").fill(
        "Chế phẩm gồm các chủng Bacillus bản địa phân hủy bùn hữu cơ ở đáy ao tôm."
    )
    page.get_by_label("Mô tả chi tiết").fill("Tỉ lệ phối trộn và quy trình nhân giống.")
    page.get_by_label("Lĩnh vực").select_option("aquaculture")
    page.get_by_label("Mức sẵn sàng công nghệ (TRL)").select_option("6")
    page.get_by_label("Mức bảo mật").select_option("after_introduction")
    page.get_by_role("button", name="Lưu và đăng").click()
    expect(page).to_have_url(re.compile(r"/results/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Đang đăng")).to_be_visible()
    result_path = re.search(r"/results/\d+$", page.url).group(0)

    # She finds it with the search box of the top bar, typing without diacritics, then
    # narrows the search page to research results.
    query = fold(f"vi sinh xử lý đáy ao {people['tag']}")
    assert query == f"vi sinh xu ly day ao {people['tag']}"
    page.get_by_role("searchbox", name="Tìm kiếm").fill(query)
    page.get_by_role("searchbox", name="Tìm kiếm").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(page.get_by_label("Từ khóa (có dấu hoặc không dấu)")).to_have_value(query)
    page.get_by_label("Loại hồ sơ").select_option("result")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page).to_have_url(re.compile(r"kind=result"))
    found = page.locator("ol.search-results").get_by_role("link", name=title)
    expect(found).to_be_visible()
    expect(page.locator("ol.search-results > li")).to_have_count(1)
    found.click()
    expect(page).to_have_url(re.compile(re.escape(result_path) + "$"))
    expect(page.get_by_role("link", name="Chỉnh sửa")).to_be_visible()
    sign_out(page)

    # A user of an enterprise sees the public summary, no edit button, and a 403 on edit.
    sign_in(page, people["buyer"])
    page.goto(result_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Chế phẩm gồm các chủng Bacillus")).to_be_visible()
    expect(page.get_by_test_id("details-locked")).to_be_visible()
    expect(page.get_by_text("Tỉ lệ phối trộn")).to_have_count(0)
    expect(page.get_by_role("link", name="Chỉnh sửa")).to_have_count(0)
    expect(page.locator('button[value="archive"]')).to_have_count(0)
    response = page.goto(f"{result_path}/edit")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("Không có quyền truy cập")
