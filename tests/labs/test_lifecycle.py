"""The booking life cycle: state × role table, effects (slot freed, usage and fee, late
cancellation), and the scheduled release of bookings nobody checked in."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from ecosystem.config import BEAT_SCHEDULE, TASK_MODULES
from ecosystem.core.audit import AuditEvent
from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.core.notifications import Notification
from ecosystem.extensions import db
from ecosystem.labs import bookings as ops
from ecosystem.labs.models import Booking, BookingState, Hold, UserKind, WaitlistEntry
from ecosystem.labs.release import release_unclaimed
from ecosystem.labs.tasks import release_unclaimed_bookings
from ecosystem.labs.waitlist import join_waitlist
from tests.labs.conftest import ALL_DAY

S = BookingState
MANAGERS = {"manager", "orgadmin", "admin"}
TABLE = {
    S.requested: ({"approve", "reject", "cancel"}, {"cancel"}, {"expire"}),
    S.approved: ({"check_in", "no_show", "cancel"}, {"cancel"}, {"release"}),
    S.checked_in: ({"check_out"}, set(), set()),
    S.completed: (set(), set(), set()),
    S.rejected: (set(), set(), set()),
    S.cancelled: (set(), set(), set()),
    S.no_show: (set(), set(), set()),
}
ROLES = ("manager", "orgadmin", "admin", "booker", "colleague", "outsider", "system")


@pytest.fixture
def people(lab_world, make_member, make_platform_user, make_org):
    return {
        "manager": lab_world["manager"],
        "orgadmin": make_member(lab_world["operator"], role="admin"),
        "admin": make_platform_user("admin"),
        "booker": lab_world["booker"],
        "colleague": make_member(lab_world["enterprise"]),
        "outsider": make_member(make_org()),
        "system": None,
    }


def _booking(lab_world, item, state: S, start_in: dt.timedelta = dt.timedelta(minutes=-5)):
    start = utcnow() + start_in
    booking = Booking(
        equipment=item,
        user_id=lab_world["booker"].id,
        organisation_id=lab_world["enterprise"].id,
        user_kind=UserKind.enterprise,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        state=state,
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
    db.session.flush()
    return booking


@pytest.mark.parametrize("state", list(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_state_by_role(lab_world, make_equipment, people, state, role):
    lab_world["lab"].opening_hours = ALL_DAY
    booking = _booking(lab_world, make_equipment(lab_world["lab"]), state)
    managers, booker, system = TABLE[state]
    expected = (
        managers
        if role in MANAGERS
        else booker
        if role == "booker"
        else system
        if role == "system"
        else set()
    )
    allowed = {t.name for t in ops.BOOKING_WORKFLOW.allowed(booking, people[role])}
    assert allowed == expected


def test_a_refused_transition_says_why_and_changes_nothing(lab_world, make_equipment):
    booking = _booking(lab_world, make_equipment(lab_world["lab"]), S.requested)
    with pytest.raises(UserError) as caught, db.session.begin_nested():
        ops.apply(booking, "approve", lab_world["booker"])
    assert caught.value.status == 403
    with pytest.raises(UserError, match="lý do"), db.session.begin_nested():
        ops.apply(booking, "reject", lab_world["manager"], reason=" ")
    db.session.refresh(booking)
    assert booking.state is S.requested


def test_reject_frees_the_slot_and_tells_the_waitlist(lab_world, make_equipment, make_member):
    item = make_equipment(lab_world["lab"])
    booking = _booking(lab_world, item, S.requested, dt.timedelta(days=2))
    waiting = make_member(lab_world["operator"])
    join_waitlist(item, waiting, booking.starts_at, booking.ends_at)
    ops.apply(booking, "reject", lab_world["manager"], reason="Thiết bị đang hiệu chuẩn")
    assert db.session.scalar(sa.select(Hold).where(Hold.booking_id == booking.id)) is None
    entry = db.session.scalar(sa.select(WaitlistEntry))
    assert entry.offered_at is not None
    keys = {n.key for n in db.session.scalars(sa.select(Notification))}
    assert {"labs.slot_freed", "labs.reject"} <= keys


def test_late_and_early_cancellation(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    late = _booking(lab_world, item, S.approved, dt.timedelta(hours=5))
    early = _booking(lab_world, item, S.approved, dt.timedelta(days=3))
    ops.apply(late, "cancel", lab_world["booker"])
    ops.apply(early, "cancel", lab_world["booker"])
    assert late.late_cancellation and not early.late_cancellation
    assert late.state is early.state is S.cancelled


def test_check_in_and_out_record_usage_and_the_fee(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"], enterprise_rate=200_000)  # cost 250.000/h
    booking = _booking(lab_world, item, S.approved)
    manager = lab_world["manager"]
    ops.apply(booking, "check_in", manager)
    assert booking.state is S.checked_in and booking.usage.started_at is not None
    booking.usage.started_at = utcnow() - dt.timedelta(minutes=80)
    ops.apply(booking, "check_out", manager)
    usage = booking.usage
    assert booking.state is S.completed
    assert usage.units == 1.5  # 80 minutes, billed by the quarter hour
    assert (usage.unit_rate, usage.amount, usage.cost_amount) == (200_000, 300_000, 375_000)
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"lab_booking.check_in", "lab_booking.check_out"} <= actions


def test_per_sample_fee(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"], fee_unit="sample", research_rate=100_000)
    booking = _booking(lab_world, item, S.approved)
    booking.user_kind = UserKind.research
    ops.apply(booking, "check_in", lab_world["manager"])
    ops.apply(booking, "check_out", lab_world["manager"], samples=6)
    assert (booking.usage.units, booking.usage.amount) == (6, 600_000)
    assert booking.usage.cost_amount == 6 * item.unit_cost


def test_check_in_too_early_is_refused(lab_world, make_equipment):
    booking = _booking(
        lab_world, make_equipment(lab_world["lab"]), S.approved, dt.timedelta(hours=3)
    )
    with pytest.raises(UserError, match="Chưa đến giờ"), db.session.begin_nested():
        ops.apply(booking, "check_in", lab_world["manager"])


def test_release_of_bookings_nobody_checked_in(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    lapsed = _booking(lab_world, item, S.approved, dt.timedelta(minutes=-45))
    grace = _booking(
        lab_world, make_equipment(lab_world["lab"]), S.approved, dt.timedelta(minutes=-10)
    )
    stale = _booking(
        lab_world, make_equipment(lab_world["lab"]), S.requested, dt.timedelta(minutes=-1)
    )
    assert release_unclaimed() == {"released": 1, "expired": 1}
    assert lapsed.state is S.no_show and grace.state is S.approved and stale.state is S.cancelled
    assert db.session.scalar(sa.select(Hold).where(Hold.booking_id == lapsed.id)) is None
    # Run again (a redelivered task): nothing more happens.
    assert release_unclaimed() == {"released": 0, "expired": 0}
    audit = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "lab_booking.release")
    )
    assert audit.actor_label == "system"


def test_the_beat_task_releases_and_is_scheduled(app, lab_world, make_equipment):

    assert BEAT_SCHEDULE["labs-release-unclaimed"]["task"] == "labs.release_unclaimed"
    assert "ecosystem.labs.tasks" in TASK_MODULES
    booking = _booking(
        lab_world, make_equipment(lab_world["lab"]), S.approved, dt.timedelta(hours=-2)
    )
    assert release_unclaimed_bookings.apply().get() == {"released": 1, "expired": 0}
    db.session.refresh(booking)
    assert booking.state is S.no_show
