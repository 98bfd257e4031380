"""Statements, utilisation, users by kind, revenue against cost, the quarterly report."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from ecosystem.extensions import db
from ecosystem.labs import reports
from ecosystem.labs.models import Booking, BookingState, Hold, UsageRecord, UserKind
from tests.auth_helpers import login
from tests.conftest import html_text
from tests.labs.conftest import local

MONDAY = dt.date(2026, 11, 2)  # a Monday; November 2026 has 21 weekdays and 4 Saturdays


def _used(item, lab_world, start, minutes, kind=UserKind.enterprise, org=None):
    org = org or lab_world["enterprise"]
    booking = Booking(
        equipment=item,
        user_id=lab_world["booker"].id,
        organisation_id=org.id,
        user_kind=kind,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        state=BookingState.completed,
    )
    db.session.add(booking)
    db.session.flush()
    db.session.add(
        Hold(
            equipment_id=item.id,
            booking_id=booking.id,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
        )
    )
    usage = UsageRecord(
        booking=booking,
        equipment_id=item.id,
        organisation_id=org.id,
        user_kind=kind,
        started_at=start,
        ended_at=booking.ends_at,
        fee_unit=item.fee_unit,
        units=minutes / 60,
        unit_rate=item.rate_for(kind),
        unit_cost=item.unit_cost,
    )
    usage.amount = round(usage.unit_rate * usage.units)
    usage.cost_amount = round(usage.unit_cost * usage.units)
    db.session.add(usage)
    db.session.flush()
    return booking


def test_utilisation_is_booked_over_available_hours(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"], research_rate=200_000)
    _used(item, lab_world, local(MONDAY, 8), 120)
    _used(
        item,
        lab_world,
        local(MONDAY + dt.timedelta(1), 8),
        240,
        kind=UserKind.research,
        org=lab_world["operator"],
    )
    (use,) = reports.utilisation([item], reports.month_period(2026, 11))
    # Weekdays 07:30–17:00 (9.5 h) × 21 + Saturdays 07:30–11:30 (4 h) × 4.
    assert use.available_hours == pytest.approx(9.5 * 21 + 4 * 4)
    assert use.booked_hours == 6
    assert use.utilisation == pytest.approx(6 / 215.5)
    assert use.revenue == 2 * 250_000 + 4 * 200_000 and use.cost == 6 * 250_000
    assert use.by_kind == {"research": 1, "enterprise": 1, "startup": 0}


def test_monthly_statement_per_organisation(client, lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    _used(item, lab_world, local(MONDAY, 9), 90)
    _used(item, lab_world, local(dt.date(2026, 12, 1), 9), 60)  # next month: not in November
    (statement,) = reports.statements(reports.month_period(2026, 11), lab=lab_world["lab"])
    assert statement.total == 375_000 and len(statement.lines) == 1
    login(client, lab_world["booker"])
    page = html_text(client.get("/labs/statements?month=2026-11"))
    assert "375.000 ₫" in page and "khấu hao 100.000 ₫" in page
    client.post("/auth/logout")
    login(client, lab_world["manager"])
    page = html_text(client.get(f"/labs/{lab_world['lab'].id}/statements?month=2026-11"))
    assert lab_world["enterprise"].name_vi in page and "375.000 ₫" in page


def test_an_organisation_sees_only_its_own_statement(
    client, lab_world, make_equipment, make_member, make_org
):
    item = make_equipment(lab_world["lab"])
    _used(item, lab_world, local(MONDAY, 9), 60)
    login(client, make_member(make_org()))
    page = html_text(client.get("/labs/statements?month=2026-11"))
    assert "250.000 ₫" not in page


def test_quarterly_report_page_and_workbook(client, lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    _used(item, lab_world, local(MONDAY, 9), 120)
    page = html_text(client.get(f"/labs/{lab_world['lab'].id}/reports?quarter=2026-Q4"))
    assert "Quý 4/2026" in page and "Máy PCR định lượng" in page
    body = client.get(f"/labs/{lab_world['lab'].id}/reports.xlsx?quarter=2026-Q4").data
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    summary, by_equipment = workbook.worksheets
    assert summary["B4"].value == "Quý 4/2026"
    row = list(by_equipment.iter_rows(values_only=True))[1]
    assert row[0] == "Máy PCR định lượng" and row[2] == 2 and row[11] == 500_000
