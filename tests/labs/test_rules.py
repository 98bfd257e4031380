"""Booking rules: past, length, opening hours (with the midnight edges), lead time,
downtime, authorisation, organisation; each refusal says why and saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.labs import bookings as ops
from ecosystem.labs import catalogue
from ecosystem.labs.models import Booking, BookingState, Downtime, DowntimeKind, Hold, UserKind
from ecosystem.labs.rules import SlotTaken
from tests.labs.conftest import ALL_DAY, local, next_weekday

MONDAY = 0


def _book(equipment, user, start, end, **data):
    return ops.request_booking(equipment, user, {"starts_at": start, "ends_at": end, **data})


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Booking.id)))


def _refused(equipment, user, start, end, expected: str, **data) -> UserError:
    before = _count()
    with pytest.raises(UserError) as caught, db.session.begin_nested():
        _book(equipment, user, start, end, **data)
    assert expected in caught.value.message
    assert _count() == before
    return caught.value


def test_a_valid_request_holds_its_slot(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(MONDAY)
    booking = _book(item, lab_world["booker"], local(day, 9), local(day, 11))
    assert booking.state is BookingState.requested
    assert booking.user_kind.value == "enterprise"
    assert booking.organisation_id == lab_world["enterprise"].id
    assert db.session.scalar(sa.select(Hold).where(Hold.booking_id == booking.id)) is not None


def test_without_approval_the_booking_is_approved_at_once(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"], approval_required=False)
    day = next_weekday(MONDAY)
    assert _book(item, lab_world["booker"], local(day, 9), local(day, 10)).state is (
        BookingState.approved
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ((-2, 9), (-2, 10), "đã qua"),
        ((0, 9), (0, 14), "nhiều nhất 240 phút"),
        ((0, 9), (0, 9, 15), "ít nhất 30 phút"),
        ((0, 10), (0, 9), "phải sau"),
        ((0, 6), (0, 8), "ngoài giờ mở cửa"),  # opens 07:30
        ((0, 16, 30), (0, 17, 30), "ngoài giờ mở cửa"),  # closes 17:00
        ((6, 9), (6, 10), "ngoài giờ mở cửa"),  # Sunday closed
    ],
)
def test_bad_times_are_refused(lab_world, make_equipment, start, end, message):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(MONDAY)
    if start[0] < 0:
        day = utcnow().date()
    s = local(day + dt.timedelta(days=start[0]), *start[1:])
    e = local(day + dt.timedelta(days=end[0]), *end[1:])
    _refused(item, lab_world["booker"], s, e, message)


def test_the_opening_and_closing_minutes_are_inside(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(MONDAY)
    first = _book(item, lab_world["booker"], local(day, 7, 30), local(day, 8, 30))
    last = _book(item, lab_world["booker"], local(day, 16), local(day, 17))
    assert first.id and last.id
    _refused(item, lab_world["booker"], local(day, 7, 29), local(day, 8), "ngoài giờ mở cửa")
    _refused(item, lab_world["booker"], local(day, 16, 30), local(day, 17, 1), "ngoài giờ mở cửa")


def test_a_booking_ending_at_midnight_and_one_across_midnight(lab_world, make_equipment):
    lab = lab_world["lab"]
    lab.opening_hours = ALL_DAY
    item = make_equipment(lab, max_minutes=600)
    day = next_weekday(MONDAY)
    to_midnight = _book(item, lab_world["booker"], local(day, 22), local(day + dt.timedelta(1), 0))
    assert to_midnight.ends_at == local(day + dt.timedelta(1), 0)
    across = _book(
        item, lab_world["booker"], local(day + dt.timedelta(1), 23), local(day + dt.timedelta(2), 2)
    )
    # Stored in UTC: 23:00 in Huế is 16:00 UTC.
    assert across.starts_at.hour == 16 and across.starts_at.tzinfo is not None
    # Back to back with the one that ends at 00:00: touching is not overlapping.
    _book(
        item, lab_world["booker"], local(day + dt.timedelta(1), 0), local(day + dt.timedelta(1), 1)
    )


def test_across_midnight_is_refused_when_the_lab_closes_at_midnight(lab_world, make_equipment):
    lab = lab_world["lab"]
    lab.opening_hours = {**ALL_DAY, "1": [480, 1440], "2": [480, 1440]}  # Tue, Wed from 08:00
    item = make_equipment(lab, max_minutes=600)
    tuesday = next_weekday(1)
    _book(item, lab_world["booker"], local(tuesday, 23), local(tuesday + dt.timedelta(1), 0))
    _refused(
        item,
        lab_world["booker"],
        local(tuesday, 23, 30),
        local(tuesday + dt.timedelta(1), 1),
        "ngoài giờ mở cửa",
    )


def test_lead_time(lab_world, make_equipment):
    lab = lab_world["lab"]
    lab.opening_hours = ALL_DAY
    item = make_equipment(lab, lead_hours=48)
    soon = utcnow() + dt.timedelta(hours=3)
    _refused(item, lab_world["booker"], soon, soon + dt.timedelta(hours=1), "ít nhất 48 giờ")


def test_inside_downtime_names_the_downtime(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(MONDAY)
    catalogue.add_downtime(
        item,
        lab_world["manager"],
        kind=DowntimeKind.maintenance,
        starts_at=local(day, 8),
        ends_at=local(day, 12),
    )
    error = _refused(item, lab_world["booker"], local(day, 11), local(day, 13), "tạm ngừng")
    assert isinstance(error, SlotTaken) and error.clash["kind"] == "downtime"


def test_overlap_names_the_booking_not_its_holder(lab_world, make_equipment, make_member):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(MONDAY)
    first = _book(item, lab_world["booker"], local(day, 9), local(day, 11))
    other = make_member(lab_world["operator"], full_name="Nguyễn Người Khác")
    error = _refused(item, other, local(day, 10), local(day, 12), f"số {first.id}")
    assert error.status == 409 and error.clash == {
        "kind": "booking",
        "id": first.id,
        "state": "requested",
        "starts_at": first.starts_at.isoformat(),
        "ends_at": first.ends_at.isoformat(),
    }
    assert "Lê Doanh Nghiệp" not in error.message


def test_training_required_needs_a_valid_authorisation(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"], training_required=True)
    day = next_weekday(MONDAY)
    booker, manager = lab_world["booker"], lab_world["manager"]
    error = _refused(item, booker, local(day, 9), local(day, 10), "đào tạo")
    assert manager.email in error.message  # how to get one: whom to contact
    grant = catalogue.grant_authorisation(
        item, booker, manager, expires_on=day - dt.timedelta(days=1)
    )
    # Expired before the day of use: still refused.
    _refused(item, booker, local(day, 9), local(day, 10), "đào tạo")
    catalogue.grant_authorisation(item, booker, manager, expires_on=day + dt.timedelta(days=30))
    assert _book(item, booker, local(day, 9), local(day, 10)).id
    catalogue.revoke_authorisation(grant, manager)
    _refused(item, booker, local(day, 11), local(day, 12), "đào tạo")


def test_only_the_labs_manager_grants(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"], training_required=True)
    with pytest.raises(UserError) as caught:
        catalogue.grant_authorisation(
            item, lab_world["booker"], lab_world["booker"], expires_on=utcnow().date()
        )
    assert caught.value.status == 403


def test_a_user_without_an_organisation_cannot_book(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(MONDAY)
    _refused(item, lab_world["orgless"], local(day, 9), local(day, 10), "thuộc một tổ chức")


def test_a_rate_above_cost_or_negative_is_refused(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    manager = lab_world["manager"]
    with pytest.raises(UserError, match="không được vượt chi phí thực tế"):
        catalogue.save_equipment(item, item.lab, {"enterprise_rate": 250_001}, manager)
    with pytest.raises(UserError, match="không được âm"):
        catalogue.save_equipment(item, item.lab, {"cost_operation": -1}, manager)
    catalogue.save_equipment(
        item, item.lab, {"enterprise_rate": 250_000, "research_rate": 0}, manager
    )
    assert item.rate_for(item_kind("research")) == 0


def item_kind(value: str):

    return UserKind(value)


def test_the_database_refuses_an_overlapping_hold(lab_world, make_equipment):
    """The guarantee is the database's, whatever the code above it checks."""

    item = make_equipment(lab_world["lab"])
    day = next_weekday(MONDAY)
    booking = _book(item, lab_world["booker"], local(day, 9), local(day, 11))
    downtime = Downtime(
        equipment_id=item.id,
        kind=DowntimeKind.breakdown,
        starts_at=local(day, 10),
        ends_at=local(day, 12),
    )
    db.session.add(downtime)
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            Hold(
                equipment_id=item.id,
                downtime_id=downtime.id,
                starts_at=local(day, 10),
                ends_at=local(day, 12),
            )
        )
        db.session.flush()
    # Touching is allowed: [09:00, 11:00) and [11:00, 12:00).
    with db.session.begin_nested():
        db.session.add(
            Hold(
                equipment_id=item.id,
                downtime_id=downtime.id,
                starts_at=local(day, 11),
                ends_at=local(day, 12),
            )
        )
        db.session.flush()
    assert booking.id
