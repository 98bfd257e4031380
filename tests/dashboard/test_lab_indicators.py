"""The labs' indicators and equipment dataset, against a hand-computed fixture.

One lab open all day every day, one piece of equipment, November 2026 (30 days):
available = 30 × 24 = 720 hours; one approved booking of 3 h and one completed of 6 h
(a rejected one does not count): booked = 9 h, utilisation = 9 / 720 = 1.25 %;
revenue = the completed use's 1.500.000 ₫.
"""

from __future__ import annotations

import datetime as dt

from ecosystem.dashboard.indicators import get_indicator
from ecosystem.dashboard.indicators.base import buckets_for
from ecosystem.dashboard.open_data import datasets
from ecosystem.extensions import db
from ecosystem.labs.models import Booking, BookingState, FeeUnit, UsageRecord, UserKind
from tests.labs.conftest import lab_world, local, make_equipment  # noqa: F401 (fixtures)

NOV = dt.date(2026, 11, 1)


def _book(equipment, booker, day, hours, state):
    booking = Booking(
        equipment_id=equipment.id,
        user_id=booker.id,
        organisation_id=next(iter(booker.active_org_ids)),
        user_kind=UserKind.enterprise,
        starts_at=local(day, 9),
        ends_at=local(day, 9 + hours),
        state=state,
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def _fixture(lab_world, make_equipment):  # noqa: F811
    lab = lab_world["lab"]
    lab.opening_hours = {str(d): [0, 1440] for d in range(7)}
    equipment = make_equipment(lab)
    booker = lab_world["booker"]
    _book(equipment, booker, dt.date(2026, 11, 3), 3, BookingState.approved)
    _book(equipment, booker, dt.date(2026, 11, 10), 2, BookingState.rejected)
    done = _book(equipment, booker, dt.date(2026, 11, 17), 6, BookingState.completed)
    db.session.add(
        UsageRecord(
            booking_id=done.id,
            equipment_id=equipment.id,
            organisation_id=done.organisation_id,
            user_kind=UserKind.enterprise,
            started_at=done.starts_at,
            ended_at=done.ends_at,
            fee_unit=FeeUnit.hour,
            units=6,
            unit_rate=250_000,
            unit_cost=250_000,
            amount=1_500_000,
            cost_amount=1_500_000,
        )
    )
    db.session.flush()
    return equipment


def test_lab_utilisation_and_revenue_by_hand(app, lab_world, make_equipment):  # noqa: F811
    _fixture(lab_world, make_equipment)
    november = buckets_for("month", 2026)[10]
    with app.test_request_context():
        (use,) = get_indicator("lab_utilisation").compute([november])
        (money,) = get_indicator("lab_revenue").compute([november])
        drill = get_indicator("lab_utilisation").drill(november, None, 1)
    assert (use.numerator, use.denominator) == (9, 720)
    assert round(use.value, 4) == 1.25
    assert money.value == 1_500_000
    assert drill.rows == [
        ["Phòng thí nghiệm Công nghệ sinh học", "9.0", "720.0", "1.25%", "1.500.000 ₫"]
    ]
    october = buckets_for("month", 2026)[9]
    (empty,) = get_indicator("lab_utilisation").compute([october])
    assert empty.numerator == 0 and empty.denominator == 744  # 31 × 24, nothing booked


def test_the_equipment_dataset_shows_fees_and_never_who_booked(app, lab_world, make_equipment):  # noqa: F811
    equipment = _fixture(lab_world, make_equipment)
    columns, records = datasets()["equipment"].build()
    (record,) = records
    assert record["id"] == f"equipment-{equipment.id}"
    assert record["unit_cost"] == 250_000 and record["cost_maintenance"] == 50_000
    text = repr(records)
    assert lab_world["booker"].email not in text and "Lê Doanh Nghiệp" not in text
    lab_world["lab"].is_published = False
    db.session.flush()
    assert datasets()["equipment"].build()[1] == []
