"""The labs' demo: four labs, 20+ pieces of equipment, bookings in every state over the
past quarter, so that utilisation and statements show real figures."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ecosystem.core.formatting import LOCAL_TZ
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.labs import reports
from ecosystem.labs.demo import seed_labs
from ecosystem.labs.models import Authorisation, Booking, BookingState, Equipment, Lab, UsageRecord
from ecosystem.seed import seed_demo
from tests.conftest import html_text


def test_the_demo_labs_are_believable_and_seeded_once(app, db_session, client):
    assert seed_demo() > 0
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count(Lab.id))) == 4
    assert db.session.scalar(sa.select(sa.func.count(Equipment.id))) >= 20
    assert set(db.session.scalars(sa.select(Booking.state))) == set(BookingState)
    assert db.session.scalar(sa.select(sa.func.count(Authorisation.id))) > 10
    kinds = {k.value for k in db.session.scalars(sa.select(Booking.user_kind).distinct())}
    assert kinds == {"research", "enterprise", "startup"}
    assert db.session.scalar(
        sa.select(sa.func.count(Booking.id)).where(Booking.award_id.is_not(None))
    )
    # Usage never charges above the actual cost, and a statement adds up.
    for usage in db.session.scalars(
        sa.select(UsageRecord).where(UsageRecord.ended_at.is_not(None))
    ):
        assert 0 < usage.amount <= usage.cost_amount
    today = utcnow().astimezone(LOCAL_TZ).date()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    period = reports.month_period(last_month.year, last_month.month)
    statements = reports.statements(period)
    assert statements and all(s.total == sum(u.amount for u in s.lines) > 0 for s in statements)
    lab = db.session.scalars(sa.select(Lab).order_by(Lab.id)).first()
    quarter = reports.Period(today - dt.timedelta(days=92), today - dt.timedelta(days=1), "q")
    uses = reports.utilisation(list(lab.equipment), quarter)
    assert all(0 <= u.utilisation <= 1 for u in uses) and any(u.utilisation > 0.05 for u in uses)
    assert seed_labs() == 0  # a second run creates nothing
    page = html_text(client.get(f"/labs/{lab.id}/reports"))
    assert lab.name_vi in page
    assert "Máy" in html_text(client.get("/labs/"))
