"""Reports: exports follow the same visibility as the pages (a conflicted expert's export
has no trace of the application), and the risk ledger adds up."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.workflow import applications as ops
from ecosystem.workflow import reviews
from ecosystem.workflow.awards import MilestonePlan, sign_contract
from ecosystem.workflow.models import ApplicationState, WriteOff
from tests.auth_helpers import login

S = ApplicationState


def test_exports_respect_visibility(client, make_application, make_expert, make_org, people):
    mine = make_application(org=people["_org"], state=S.under_review, title="Hồ sơ của công ty A")
    make_application(state=S.submitted, title="Hồ sơ của người khác")
    login(client, people["applicant"])
    csv_text = client.get("/fund/applications.csv").get_data().decode("utf-8-sig")
    assert "Hồ sơ của công ty A" in csv_text and "Hồ sơ của người khác" not in csv_text
    expert = make_expert("TS. Xung Đột", ["tôm"], affiliations=[make_org()])
    assignment = reviews.assign(mine, expert, people["manager"])
    reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_conflict", expert)
    login(client, expert)
    sheet = load_workbook(io.BytesIO(client.get("/fund/applications.xlsx").data)).active
    assert all("công ty A" not in str(cell.value) for row in sheet.iter_rows() for cell in row)
    login(client, people["manager"])
    managed = (
        client.get(f"/fund/calls/{mine.call_id}/applications.csv").get_data().decode("utf-8-sig")
    )
    assert "Hồ sơ của công ty A" in managed


def test_the_risk_ledger(client, make_application, make_cycle, people):

    make_cycle(capital=10_000_000_000, state_share=4_900_000_000)
    application = make_application(org=people["_org"], state=S.committee)
    ops.apply(application, "approve", people["manager"], reason="Tốt", amount=700_000_000)
    today = utcnow().date()
    award = sign_contract(
        application,
        people["manager"],
        number="HĐ-9",
        signed_on=today,
        amount=700_000_000,
        cofunding=300_000_000,
        milestones=[MilestonePlan("Mốc", 700_000_000, today + dt.timedelta(days=30))],
    )
    db.session.add(
        WriteOff(
            award_id=award.id, amount=100_000_000, reason="Thất bại kỹ thuật", written_off_on=today
        )
    )
    db.session.flush()
    login(client, people["steering"])
    page = client.get("/fund/ledger")
    assert page.status_code == 200 and "HĐ-9" in page.get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get("/fund/ledger.xlsx").data))
    cycles = list(book.worksheets[0].iter_rows(values_only=True))
    # capital, state budget, share, committed, disbursed, written off, ceiling, headroom
    assert cycles[1][3:] == (
        10_000_000_000,
        4_900_000_000,
        49.0,
        700_000_000,
        0,
        100_000_000,
        5_000_000_000,
        4_900_000_000,
    )
    contracts = list(book.worksheets[1].iter_rows(values_only=True))
    assert contracts[1][0] == "HĐ-9" and contracts[1][6] == 100_000_000
    login(client, people["applicant"])
    assert client.get("/fund/ledger").status_code == 403
