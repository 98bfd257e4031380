"""The parts every indicator is made of: periods (buckets), values, drill-downs, and the
conditional aggregation that computes a value per period in one statement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ecosystem.extensions import db

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
PERIODS = ("month", "quarter", "year")
PAGE = 50  # rows per drill-down page
EXPORT_LIMIT = 50_000  # rows in a drill-down export


@dataclass(frozen=True)
class Bucket:
    """One period, in local (Huế) time: [start, end)."""

    period: str
    year: int
    number: int  # month 1–12, quarter 1–4, or the year itself
    start_date: dt.date
    end_date: dt.date  # exclusive

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.start_date, dt.time(), LOCAL).astimezone(dt.UTC)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.end_date, dt.time(), LOCAL).astimezone(dt.UTC)

    @property
    def label(self) -> str:
        if self.period == "month":
            return f"{self.number:02d}/{self.year}"
        if self.period == "quarter":
            return f"Q{self.number}/{self.year}"
        return str(self.year)

    @property
    def key(self) -> str:
        if self.period == "month":
            return f"{self.year}-{self.number:02d}"
        if self.period == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year)


def _month(year: int, month: int) -> dt.date:
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def buckets_for(period: str, year: int, years_back: int = 4) -> list[Bucket]:
    """The months or quarters of ``year``, or the years up to ``year``."""
    if period == "month":
        return [
            Bucket("month", year, m, _month(year, m), _month(year, m + 1)) for m in range(1, 13)
        ]
    if period == "quarter":
        return [
            Bucket("quarter", year, q, _month(year, 3 * q - 2), _month(year, 3 * q + 1))
            for q in range(1, 5)
        ]
    return [
        Bucket("year", y, y, dt.date(y, 1, 1), dt.date(y + 1, 1, 1))
        for y in range(year - years_back, year + 1)
    ]


def parse_bucket(key: str) -> Bucket | None:
    """The bucket named by ``Bucket.key`` (2026, 2026-Q3, 2026-07), or None."""
    try:
        if "-Q" in key:
            year, quarter = key.split("-Q")
            return buckets_for("quarter", int(year))[int(quarter) - 1]
        if "-" in key:
            year, month = key.split("-")
            return buckets_for("month", int(year))[int(month) - 1]
        year = int(key)
        return buckets_for("year", year, years_back=0)[0]
    except (ValueError, IndexError):
        return None


@dataclass(frozen=True)
class Value:
    value: float | None
    numerator: int | None = None  # for rates: the counts behind the share
    denominator: int | None = None


@dataclass
class Drill:
    """The records behind one value: a table (header, rows) and how many exist in all."""

    header: list[str]
    rows: list[list[Any]]
    total: int
    hidden: int = 0  # records the visitor may not open (counted, not shown)
    links: list[str | None] = field(default_factory=list)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Any  # lazy strings: the name and the formula shown on the page
    formula: Any
    unit: str  # "percent", "count" or "vnd"
    group: Any
    compute: Callable[[Sequence[Bucket]], list[Value]]
    drill: Callable[[Bucket, Any, int], Drill] | None = None
    cumulative: bool = False  # a stock at the end of each period, not a flow within it
    annual: bool = False  # only meaningful per year (e.g. budget figures)
    public: bool = True  # shown on the public indicator page


def flow_counts(
    column: Any,
    buckets: Sequence[Bucket],
    *where: Any,
    amount: Any = None,
    dates: bool = False,
    select_from: Any = None,
) -> list[int]:
    """Per bucket: how many rows (or the sum of ``amount``) have ``column`` inside it."""
    bounds = [(b.start_date, b.end_date) if dates else (b.start, b.end) for b in buckets]
    one = amount if amount is not None else sa.literal(1)
    columns = [
        sa.func.coalesce(sa.func.sum(sa.case(((column >= lo) & (column < hi), one), else_=0)), 0)
        for lo, hi in bounds
    ]
    statement = sa.select(*columns).where(
        column.is_not(None), column >= bounds[0][0], column < bounds[-1][1], *where
    )
    if select_from is not None:
        statement = statement.select_from(select_from)
    return [int(v or 0) for v in db.session.execute(statement).one()]


def stock_counts(
    column: Any,
    buckets: Sequence[Bucket],
    *where: Any,
    amount: Any = None,
    dates: bool = False,
    select_from: Any = None,
) -> list[int]:
    """Per bucket: how many rows (or the sum of ``amount``) have ``column`` before its end."""
    ends = [b.end_date if dates else b.end for b in buckets]
    one = amount if amount is not None else sa.literal(1)
    columns = [
        sa.func.coalesce(sa.func.sum(sa.case((column < end, one), else_=0)), 0) for end in ends
    ]
    statement = sa.select(*columns).where(column.is_not(None), column < ends[-1], *where)
    if select_from is not None:
        statement = statement.select_from(select_from)
    return [int(v or 0) for v in db.session.execute(statement).one()]


def later_of(a: Any, b: Any) -> Any:
    """The later of two datetimes, portably (SQLite has no GREATEST)."""
    return sa.case((a > b, a), else_=b)


def earlier_of(a: Any, b: Any) -> Any:
    return sa.case((a.is_(None), b), (b.is_(None), a), (a < b, a), else_=b)


def as_counts(values: list[int]) -> list[Value]:
    return [Value(float(v)) for v in values]


def page_rows(statement: sa.Select, page: int) -> list[Any]:
    """One page of rows; page 0 means all of them (exports), up to EXPORT_LIMIT."""
    if page <= 0:
        return list(db.session.execute(statement.limit(EXPORT_LIMIT)).all())
    return list(db.session.execute(statement.limit(PAGE).offset((page - 1) * PAGE)).all())


def count_rows(statement: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery())) or 0
