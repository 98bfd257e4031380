"""The steering committee's dashboard in Chromium: sign in as a committee member, open the
dashboard, check that the charts were drawn with data (Vietnamese, then English), and save
a screenshot to build/screenshots/dashboard.png (SCREENSHOT_DIR to change it)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ecosystem.auth.models import PlatformRole, User, UserRole
from ecosystem.auth.operations import email_key
from ecosystem.auth.passwords import hash_password
from ecosystem.core.models import utcnow
from ecosystem.dashboard.demo import seed_dashboard
from ecosystem.extensions import db
from tests.browser import support

pytestmark = pytest.mark.browser

PASSWORD = "Ban Chỉ đạo Huế 2026"
SHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "build" / "screenshots")
)


@pytest.fixture
def committee_member(live_server) -> str:
    email = f"bcd.{uuid.uuid4().hex[:6]}@hue.gov.vn"
    with live_server.app.app_context():
        seed_dashboard()  # the 168 demo tasks (once per database)
        user = User(
            email=email,
            email_key=email_key(email),
            full_name="Thành viên Ban Chỉ đạo",
            password_hash=hash_password(PASSWORD),
            email_verified_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(UserRole(user_id=user.id, role=PlatformRole.steering))
        db.session.commit()
    return email


def charts_with_data(page) -> dict[str, float]:
    """Each drawn chart's id and the sum of its first dataset, read from Chart.js itself."""
    page.wait_for_function(
        "document.querySelectorAll('canvas[data-chart]').length > 0 && "
        "[...document.querySelectorAll('canvas[data-chart]')].every(c => c.dataset.rendered)"
    )
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('canvas[data-chart]')].map(c => {
            const chart = window.Chart.getChart(c);
            const data = chart ? chart.data.datasets[0].data : [];
            return [c.id, data.reduce((a, b) => a + (Number(b) || 0), 0)];
        }))"""
    )


def test_committee_sees_the_dashboard_with_charts(page, live_server, committee_member):
    support.sign_in(page, committee_member, PASSWORD)
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="Bảng điều hành của Ban Chỉ đạo")).to_be_visible()
    expect(page.locator("#task-shares-table")).to_contain_text("62,50%")
    expect(page.locator("#task-shares-table")).to_contain_text("20,83%")
    expect(page.locator("#task-shares-table")).to_contain_text("13,69%")
    sums = charts_with_data(page)
    assert sums["task-shares"] == 168  # the doughnut holds the 168 tasks
    # The funnel and the cooperation trend are drawn too (their values depend on the records
    # other journeys left in this database: four stages, twelve months).
    lengths = page.evaluate(
        "() => ['funnel-chart', 'coop-chart'].map(id => "
        "window.Chart.getChart(document.getElementById(id)).data.labels.length)"
    )
    assert lengths == [4, 12]
    canvas = page.locator("#task-shares")
    box = canvas.bounding_box()
    assert box and box["width"] > 50 and box["height"] > 50
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

    # English: the same charts, drawn again, with English labels.
    page.locator('form[action="/language"] button[name="lang"][value="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="The steering committee's dashboard")).to_be_visible()
    expect(page.locator("#task-shares-table")).to_contain_text("62.50%")
    sums = charts_with_data(page)
    assert sums["task-shares"] == 168
    labels = page.evaluate(
        "() => window.Chart.getChart(document.getElementById('task-shares')).data.labels"
    )
    assert "Completed" in labels
    page.screenshot(path=str(SHOTS / "dashboard-en.png"), full_page=True)
    page.locator('form[action="/language"] button[name="lang"][value="vi"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def test_the_printed_report_fits_one_page(page, live_server, committee_member):
    support.sign_in(page, committee_member, PASSWORD)
    page.goto("/dashboard/report")
    charts_with_data(page)
    page.emulate_media(media="print")
    page.wait_for_timeout(500)  # the charts redraw at the printed size
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(SHOTS / "report.pdf"), format="A4", print_background=True)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages == 1, f"the committee's report prints on {pages} pages"
