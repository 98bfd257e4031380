"""Awards through the pages: a contract whose milestones do not add up is refused next to
the table and nothing is saved; reports, acceptance, a disbursement above the milestone;
the decision letter in both languages with anonymous reviewer comments."""

from __future__ import annotations

import pytest

from ecosystem.extensions import db
from ecosystem.workflow import applications as ops
from ecosystem.workflow import reviews
from ecosystem.workflow.models import ApplicationState, Award, MilestoneState
from tests.auth_helpers import login
from tests.conftest import html_text

S = ApplicationState


@pytest.fixture
def approved(make_application, make_cycle, people):
    make_cycle()
    application = make_application(org=people["_org"], state=S.committee)
    ops.apply(
        application, "approve", people["manager"], reason="Đề xuất khả thi", amount=600_000_000
    )
    return application


def _contract(**milestones) -> dict[str, str]:
    data = {
        "contract_number": "HĐ-07/2026/QKHCN",
        "signed_on": "01/12/2026",
        "amount": "600.000.000",
        "cofunding": "250.000.000",
        "ms_title_0": "Lắp đặt hệ thống",
        "ms_amount_0": "200.000.000",
        "ms_due_0": "01/03/2027",
        "ms_title_1": "Vận hành thử",
        "ms_amount_1": "400.000.000",
        "ms_due_1": "01/09/2027",
    }
    data.update(milestones)
    return data


def test_a_contract_whose_milestones_do_not_add_up_changes_nothing(client, approved, people):
    login(client, people["manager"])
    response = client.post(
        f"/fund/applications/{approved.id}/award", data=_contract(ms_amount_1="300.000.000")
    )
    assert response.status_code == 422
    assert "Tổng các mốc (500.000.000 ₫) phải bằng giá trị hợp đồng (600.000.000 ₫)" in html_text(
        response
    )
    db.session.refresh(approved)
    assert approved.state is S.approved and db.session.scalar(db.select(Award.id)) is None
    bad_date = client.post(
        f"/fund/applications/{approved.id}/award", data=_contract(ms_due_0="31/02/2027")
    )
    assert bad_date.status_code == 422 and "Mốc 1" in html_text(bad_date)


def test_contract_report_accept_and_disburse(client, approved, people):
    login(client, people["manager"])
    assert (
        client.post(f"/fund/applications/{approved.id}/award", data=_contract()).status_code == 302
    )
    award = db.session.scalars(db.select(Award)).one()
    first = award.milestones[0]
    login(client, people["applicant"])
    page = html_text(client.get(f"/fund/applications/{approved.id}/award"))
    assert "HĐ-07/2026/QKHCN" in page and "Ghi nhận giải ngân" not in page
    client.post(
        f"/fund/milestones/{first.id}/state", data={"action": "report", "report": "Đã lắp đặt"}
    )
    db.session.refresh(first)
    assert first.state is MilestoneState.reported
    login(client, people["manager"])
    client.post(f"/fund/milestones/{first.id}/state", data={"action": "accept"})
    over = client.post(
        f"/fund/milestones/{first.id}/disbursements",
        data={"amount": "250.000.000", "paid_on": "05/03/2027", "reference": "UNC-01"},
        follow_redirects=True,
    )
    assert "không vượt phần còn lại của mốc (200.000.000 ₫)" in html_text(over)
    client.post(
        f"/fund/milestones/{first.id}/disbursements",
        data={"amount": "200.000.000", "paid_on": "05/03/2027", "reference": "UNC-01"},
    )
    db.session.refresh(first)
    assert first.state is MilestoneState.paid
    page = html_text(client.get(f"/fund/applications/{approved.id}/award"))
    assert "Đã giải ngân 200.000.000 ₫ / 600.000.000 ₫ (33%)" in page


def test_the_decision_letter_names_no_reviewer(
    client, make_application, make_cycle, make_expert, make_org, people
):
    make_cycle()
    application = make_application(org=people["_org"], state=S.under_review)
    expert = make_expert("GS. Ẩn Danh", ["tôm"], affiliations=[make_org()])
    assignment = reviews.assign(application, expert, people["manager"])
    reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_none", expert)
    reviews.ASSIGNMENT_WORKFLOW.apply(
        assignment,
        "submit",
        expert,
        scores={"novelty": 5, "impact": 4},
        overall="Phương án lọc rất tốt",
    )
    ops.apply(application, "to_committee", people["manager"])
    ops.apply(application, "approve", people["manager"], reason="Xếp hạng cao", amount=500_000_000)
    login(client, people["applicant"])
    letter = html_text(client.get(f"/fund/applications/{application.id}/letter"))
    assert "Phương án lọc rất tốt" in letter and "GS. Ẩn Danh" not in letter
    assert "Được phê duyệt" in letter and "500.000.000 ₫" in letter
    english = html_text(client.get(f"/fund/applications/{application.id}/letter?lang=en"))
    assert "Notice of the selection result" in english and "Approved" in english


def test_a_milestone_amount_beyond_any_budget_is_refused(client, approved, people):
    login(client, people["manager"])
    response = client.post(
        f"/fund/applications/{approved.id}/award", data=_contract(ms_amount_0="9" * 25)
    )
    assert response.status_code == 422 and "Mốc 1" in html_text(response)
    assert db.session.scalar(db.select(Award.id)) is None
