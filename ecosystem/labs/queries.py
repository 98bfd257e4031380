"""Reading the catalogue: search and filters, free time on a day, calendars' bookings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ecosystem.core.formatting import LOCAL_TZ
from ecosystem.core.text import fold
from ecosystem.extensions import db
from ecosystem.labs import rules
from ecosystem.labs.models import Booking, Equipment, Hold, Lab, UserKind
from ecosystem.registry.models import Organisation


@dataclass
class Filters:
    q: str = ""
    field: str = ""
    organisation_id: int | None = None
    fee_min: int | None = None
    fee_max: int | None = None
    available_on: dt.date | None = None
    kind: UserKind = UserKind.enterprise


def published_equipment() -> list[Equipment]:
    return list(
        db.session.scalars(
            sa.select(Equipment)
            .join(Lab)
            .where(Equipment.is_active.is_(True), Lab.is_published.is_(True))
            .options(selectinload(Equipment.lab).selectinload(Lab.organisation))
            .order_by(Lab.name_vi, Equipment.name_vi)
        )
    )


def search_equipment(filters: Filters) -> list[Equipment]:
    """The catalogue is small (hundreds of items): filter in Python, with the same
    diacritic-insensitive folding as the registry's search ("kinh hien vi" finds "kính hiển vi")."""
    items = published_equipment()
    words = fold(filters.q).split()
    out = []
    for item in items:
        text = fold(
            " ".join(
                [
                    item.name_vi,
                    item.name_en,
                    item.category,
                    item.model,
                    item.specifications,
                    item.lab.name_vi,
                    item.lab.name_en,
                ]
            )
        )
        if words and not all(w in text for w in words):
            continue
        if filters.field and filters.field not in {item.field_code, item.lab.field_code}:
            continue
        if filters.organisation_id and item.lab.organisation_id != filters.organisation_id:
            continue
        rate = item.rate_for(filters.kind)
        if filters.fee_min is not None and rate < filters.fee_min:
            continue
        if filters.fee_max is not None and rate > filters.fee_max:
            continue
        out.append(item)
    if filters.available_on is not None:
        free = free_minutes_on([i.id for i in out], filters.available_on, {i.id: i for i in out})
        out = [i for i in out if free.get(i.id, 0) >= i.min_minutes]
    return out


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ)
    return start, start + dt.timedelta(days=1)


def holds_between(equipment_ids: list[int], start: dt.datetime, end: dt.datetime) -> list[Hold]:
    if not equipment_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Hold)
            .where(
                Hold.equipment_id.in_(equipment_ids),
                Hold.starts_at < end,
                Hold.ends_at > start,
            )
            .order_by(Hold.starts_at)
        )
    )


def free_minutes_on(
    equipment_ids: list[int], day: dt.date, by_id: dict[int, Equipment]
) -> dict[int, int]:
    """The longest free stretch (minutes) within opening hours on ``day``, per equipment."""
    start, end = day_bounds(day)
    holds: dict[int, list[Hold]] = {}
    for hold in holds_between(equipment_ids, start, end):
        holds.setdefault(hold.equipment_id, []).append(hold)
    out = {}
    for equipment_id in equipment_ids:
        lab = by_id[equipment_id].lab
        best = 0
        for a, b in rules.opening_intervals(lab, day, day):
            cursor = a
            for hold in holds.get(equipment_id, []):
                if hold.ends_at <= cursor or hold.starts_at >= b:
                    continue
                best = max(best, int((hold.starts_at - cursor).total_seconds() // 60))
                cursor = max(cursor, hold.ends_at)
            best = max(best, int((b - cursor).total_seconds() // 60))
        out[equipment_id] = best
    return out


def bookings_between(
    equipment_ids: list[int], start: dt.datetime, end: dt.datetime, states: Any = None
) -> list[Booking]:
    if not equipment_ids:
        return []
    query = sa.select(Booking).where(
        Booking.equipment_id.in_(equipment_ids),
        Booking.starts_at < end,
        Booking.ends_at > start,
    )
    if states is not None:
        query = query.where(Booking.state.in_(list(states)))
    return list(db.session.scalars(query.order_by(Booking.starts_at)))


def my_bookings(user: Any) -> list[Booking]:
    return list(
        db.session.scalars(
            sa.select(Booking)
            .where(Booking.user_id == user.id)
            .options(selectinload(Booking.equipment).selectinload(Equipment.lab))
            .order_by(Booking.starts_at.desc())
        )
    )


def organisations_with_labs() -> list[tuple[int, str]]:

    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name_vi)
        .where(Organisation.id.in_(sa.select(Lab.organisation_id).where(Lab.is_published)))
        .order_by(Organisation.name_vi)
    )
    return [(r.id, r.name_vi) for r in rows]
