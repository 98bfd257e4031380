"""Week and month calendars of a piece of equipment or a lab (in Huế time).

Anyone sees which times are taken; only the lab's managers see who holds them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import has_request_context
from flask_babel import get_locale

from ecosystem.core.formatting import LOCAL_TZ, parse_date, to_local
from ecosystem.core.models import utcnow
from ecosystem.labs import queries
from ecosystem.labs.forms import WEEKDAYS, hours_text
from ecosystem.labs.models import HOLDING, Equipment, Lab


@dataclass
class Entry:
    starts_at: dt.datetime
    ends_at: dt.datetime
    kind: str  # "booking" or "downtime"
    state: Any = None
    booking_id: int | None = None
    holder: str = ""
    equipment: str = ""


@dataclass
class Day:
    date: dt.date
    entries: list[Entry] = field(default_factory=list)
    in_month: bool = True


def today() -> dt.date:
    return to_local(utcnow()).date()


def week_of(text: str | None) -> dt.date:
    """The Monday of the week holding the date typed (this week when none or garbage)."""
    try:
        day = parse_date(text) if text else today()
    except ValueError:
        day = today()
    return day - dt.timedelta(days=day.weekday())


def month_of(text: str | None) -> dt.date:
    try:
        day = parse_date(text + "-01" if text and len(text) == 7 else text) if text else today()
    except ValueError:
        day = today()
    return day.replace(day=1)


def _entries(items: list[Equipment], start: dt.datetime, end: dt.datetime, show_names: bool):
    ids = [i.id for i in items]
    locale = str(get_locale()) if has_request_context() else "vi"
    names = {i.id: i.name(locale) for i in items}
    out: list[Entry] = []
    for booking in queries.bookings_between(ids, start, end, HOLDING):
        out.append(
            Entry(
                booking.starts_at,
                booking.ends_at,
                "booking",
                booking.state,
                booking.id,
                booking.user.display_name if show_names else "",
                names[booking.equipment_id],
            )
        )
    for hold in queries.holds_between(ids, start, end):
        if hold.downtime_id is not None:
            out.append(
                Entry(hold.starts_at, hold.ends_at, "downtime", equipment=names[hold.equipment_id])
            )
    return sorted(out, key=lambda e: e.starts_at)


def _days(first: dt.date, count: int, entries: list[Entry], month: int | None = None) -> list[Day]:
    days = [Day(first + dt.timedelta(days=i)) for i in range(count)]
    for day in days:
        day.in_month = month is None or day.date.month == month
        lo = dt.datetime.combine(day.date, dt.time(0), tzinfo=LOCAL_TZ)
        hi = lo + dt.timedelta(days=1)
        day.entries = [e for e in entries if e.starts_at < hi and e.ends_at > lo]
    return days


def equipment_week(item: Equipment, monday: dt.date, show_names: bool = False) -> list[Day]:
    return items_week([item], monday, show_names)


def items_week(items: list[Equipment], monday: dt.date, show_names: bool = False) -> list[Day]:
    start = dt.datetime.combine(monday, dt.time(0), tzinfo=LOCAL_TZ)
    entries = _entries(items, start, start + dt.timedelta(days=7), show_names)
    return _days(monday, 7, entries)


def items_month(items: list[Equipment], first: dt.date, show_names: bool = False) -> list[Day]:
    """Whole weeks (Monday first) covering the month."""
    grid_start = first - dt.timedelta(days=first.weekday())
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    count = ((last - grid_start).days // 7 + 1) * 7
    start = dt.datetime.combine(grid_start, dt.time(0), tzinfo=LOCAL_TZ)
    entries = _entries(items, start, start + dt.timedelta(days=count), show_names)
    return _days(grid_start, count, entries, first.month)


def opening_rows(lab: Lab) -> list[tuple[Any, str]]:
    return [(WEEKDAYS[i], hours_text((lab.opening_hours or {}).get(str(i)))) for i in range(7)]
