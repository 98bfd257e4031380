"""The labs' pages: catalogue search and filters, booking through the form (and its refusals
in the user's language), the manager's decisions, downtime, authorisations, fees, reports."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import sqlalchemy as sa

from ecosystem.extensions import db
from ecosystem.labs.models import Authorisation, Booking, BookingState, Downtime, Equipment
from ecosystem.registry import listing_operations
from ecosystem.registry.models import ResearchField
from ecosystem.workflow.models import Award, CallState, FundApplication, FundCall
from tests.auth_helpers import login
from tests.conftest import html_text
from tests.labs.conftest import local, next_weekday


def _form(day: dt.date, start: str, end: str, **extra) -> dict[str, str]:
    return {"start_date": day.strftime("%d/%m/%Y"), "start_time": start, "end_time": end, **extra}


def test_catalogue_search_and_filters(client, lab_world, make_equipment, db_session):
    db.session.add(ResearchField(code="biotech", name_vi="Công nghệ sinh học", name_en="Biotech"))
    lab = lab_world["lab"]
    pcr = make_equipment(lab, field_code="biotech")
    make_equipment(
        lab, name_vi="Kính hiển vi điện tử", name_en="Electron microscope", cost_operation=900_000
    )
    page = html_text(client.get("/labs/?q=kinh hien vi"))  # typed without diacritics
    assert "Kính hiển vi điện tử" in page and "Máy PCR định lượng" not in page
    page = html_text(client.get("/labs/?field=biotech"))
    assert "Máy PCR định lượng" in page and "Kính hiển vi" not in page
    page = html_text(client.get("/labs/?fee_max=300.000"))
    assert "Máy PCR định lượng" in page and "Kính hiển vi" not in page
    page = html_text(client.get(f"/labs/?organisation={lab.organisation_id + 999}"))
    assert "Máy PCR" not in page
    # Sunday: the lab is closed, nothing is available.
    sunday = next_weekday(6)
    page = html_text(client.get(f"/labs/?date={sunday.strftime('%d/%m/%Y')}"))
    assert "Máy PCR" not in page
    monday = next_weekday(0)
    assert "Máy PCR" in html_text(client.get(f"/labs/?date={monday.strftime('%d/%m/%Y')}"))
    assert pcr.id


def test_catalogue_in_english(client, lab_world, make_equipment):
    make_equipment(lab_world["lab"])
    client.post("/language", data={"lang": "en"})
    page = html_text(client.get("/labs/"))
    assert "Real-time PCR" in page and "Shared equipment" in page


def test_booking_through_the_page_and_the_managers_decisions(client, lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(0)
    login(client, lab_world["booker"])
    response = client.post(f"/labs/equipment/{item.id}/book", data=_form(day, "09:00", "11:00"))
    assert response.status_code == 302
    booking = db.session.scalar(sa.select(Booking))
    assert booking.starts_at == local(day, 9) and booking.state is BookingState.requested
    # The same slot again: the clash, with its number, and nothing saved.
    response = client.post(f"/labs/equipment/{item.id}/book", data=_form(day, "10:00", "12:00"))
    assert response.status_code == 409
    assert f"lượt đặt số {booking.id}" in html_text(response)
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1
    client.post("/auth/logout")
    login(client, lab_world["manager"])
    page = html_text(client.get(f"/labs/{item.lab_id}/manage"))
    assert "Lê Doanh Nghiệp" in page
    response = client.post(f"/labs/bookings/{booking.id}/state", data={"action": "approve"})
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.state is BookingState.approved
    # The manager's calendar names the holder; the public one does not.
    week = f"/labs/equipment/{item.id}/calendar?week={day.isoformat()}"
    assert "Lê Doanh Nghiệp" in html_text(client.get(week))
    client.post("/auth/logout")
    public = html_text(client.get(week))
    assert "Đã đặt" in public and "Lê Doanh Nghiệp" not in public


def test_bad_input_in_english_saves_nothing(client, lab_world, make_equipment):
    item = make_equipment(lab_world["lab"], training_required=True)
    login(client, lab_world["booker"])
    client.post("/language", data={"lang": "en"})
    day = next_weekday(0)
    cases = [
        (_form(day, "9h7", "11:00"), "Invalid time"),
        (_form(day, "06:00", "07:00"), "opening hours"),
        (_form(day - dt.timedelta(days=14), "09:00", "10:00"), "in the past"),
        (_form(day, "09:00", "08:00"), "must be after"),
        (_form(day, "09:00", "10:00"), "training"),
    ]
    for data, message in cases:
        response = client.post(f"/labs/equipment/{item.id}/book", data=data)
        assert response.status_code == 422, data
        assert message in html_text(response), (message, html_text(response)[:3000])
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_a_user_without_an_organisation_is_told_why(client, lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    login(client, lab_world["orgless"])
    response = client.post(
        f"/labs/equipment/{item.id}/book", data=_form(next_weekday(0), "09:00", "10:00")
    )
    assert response.status_code == 422 and "thuộc một tổ chức" in html_text(response)


def test_downtime_and_authorisation_from_the_managers_page(client, lab_world, make_equipment):
    item = make_equipment(lab_world["lab"], training_required=True)
    day = next_weekday(0)
    login(client, lab_world["manager"])
    response = client.post(
        f"/labs/equipment/{item.id}/downtime",
        data={
            "kind": "breakdown",
            "start_date": day.strftime("%d/%m/%Y"),
            "start_time": "08:00",
            "end_date": day.strftime("%d/%m/%Y"),
            "end_time": "12:00",
            "note": "Hỏng đèn",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Downtime)).note == "Hỏng đèn"
    response = client.post(
        f"/labs/equipment/{item.id}/authorisations",
        data={"email": lab_world["booker"].email, "expires_on": "31/12/2030"},
    )
    assert response.status_code == 302
    grant = db.session.scalar(sa.select(Authorisation))
    assert grant.user_id == lab_world["booker"].id and grant.expires_on == dt.date(2030, 12, 31)
    client.post("/auth/logout")
    login(client, lab_world["booker"])
    response = client.post(f"/labs/equipment/{item.id}/book", data=_form(day, "11:00", "13:00"))
    assert response.status_code == 409 and "tạm ngừng phục vụ" in html_text(response)
    response = client.post(f"/labs/equipment/{item.id}/book", data=_form(day, "13:00", "14:00"))
    assert response.status_code == 302


def test_equipment_form_refuses_a_rate_above_cost(client, lab_world):
    login(client, lab_world["manager"])
    data = {
        "name_vi": "Máy quang phổ UV-Vis",
        "fee_unit": "hour",
        "cost_maintenance": "10.000",
        "cost_operation": "40.000",
        "enterprise_rate": "60.000",
        "min_minutes": "30",
        "max_minutes": "240",
        "approval_required": "y",
    }
    response = client.post(f"/labs/{lab_world['lab'].id}/equipment/new", data=data)
    assert response.status_code == 422 and "không được vượt chi phí thực tế" in html_text(response)
    response = client.post(
        f"/labs/{lab_world['lab'].id}/equipment/new", data={**data, "cost_repair": "-5"}
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Equipment.id))) == 0
    response = client.post(
        f"/labs/{lab_world['lab'].id}/equipment/new", data={**data, "enterprise_rate": "45.000"}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Equipment)).enterprise_rate == 45_000


def test_disclosures_page_and_exports(client, lab_world, make_equipment):
    make_equipment(lab_world["lab"])
    page = html_text(client.get("/labs/disclosures"))
    assert "Máy PCR định lượng" in page and "250.000 ₫" in page
    assert "Báo cáo theo quý" in page  # the per-lab summary links each lab's report
    csv = client.get("/labs/disclosures/equipment.csv").get_data(as_text=True)
    assert "Máy PCR định lượng" in csv and "250000" in csv
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/labs/disclosures/equipment.xlsx").data)
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[1][1] == "Máy PCR định lượng" and rows[1][11] == 250_000


def test_a_booking_may_serve_an_award_or_a_result_of_its_own_organisation(
    client, lab_world, make_equipment
):

    db.session.add(ResearchField(code="biotech", name_vi="Công nghệ sinh học", name_en="Biotech"))
    item = make_equipment(lab_world["lab"])
    enterprise = lab_world["enterprise"]
    now = local(next_weekday(0), 9)
    call = FundCall(
        title_vi="Đợt gọi",
        budget=10**9,
        max_amount=10**8,
        state=CallState.decided,
        opens_at=now - dt.timedelta(days=90),
        closes_at=now - dt.timedelta(days=60),
    )
    application = FundApplication(
        call=call,
        organisation_id=enterprise.id,
        title="Dự án men vi sinh",
        state="in_progress",
        submitted_at=now - dt.timedelta(days=70),
    )
    award = Award(
        application=application,
        contract_number="HĐ-LAB-1",
        signed_on=dt.date(2026, 1, 5),
        amount=10**8,
    )
    other = Award(
        application=FundApplication(
            call=call,
            organisation_id=lab_world["operator"].id,
            title="Dự án khác",
            state="in_progress",
            submitted_at=now - dt.timedelta(days=70),
        ),
        contract_number="HĐ-LAB-2",
        signed_on=dt.date(2026, 1, 5),
        amount=10**8,
    )
    db.session.add_all([award, other])
    result = listing_operations.create_listing(
        "result",
        {
            "organisation_id": enterprise.id,
            "title": "Chủng men bản địa",
            "summary": "Tóm tắt",
            "field_code": "biotech",
            "trl": 4,
        },
        None,
        publish=True,
    )
    db.session.flush()
    login(client, lab_world["booker"])
    page = html_text(client.get(f"/labs/equipment/{item.id}"))
    assert "HĐ-LAB-1" in page and "HĐ-LAB-2" not in page and "Chủng men bản địa" in page
    day = next_weekday(0)
    response = client.post(
        f"/labs/equipment/{item.id}/book",
        data=_form(day, "09:00", "10:00", award_id=str(other.id)),
    )
    assert response.status_code == 422  # not one of the choices offered
    response = client.post(
        f"/labs/equipment/{item.id}/book",
        data=_form(day, "09:00", "10:00", award_id=str(award.id), result_id=str(result.id)),
    )
    assert response.status_code == 302
    booking = db.session.scalar(sa.select(Booking))
    assert (booking.award_id, booking.result_id) == (award.id, result.id)
    page = html_text(client.get(f"/labs/bookings/{booking.id}"))
    assert "HĐ-LAB-1 – Dự án men vi sinh" in page and "Chủng men bản địa" in page
