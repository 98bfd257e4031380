"""Indicator values for pages, exports and the API: computed per period, cached for at most
``DASHBOARD_CACHE_SECONDS`` (the page states it), with the targets set per indicator and
year; and the secretariat's operations on targets and budget figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ecosystem.core.audit import record_audit
from ecosystem.core.cache import TTLCache
from ecosystem.core.errors import UserError
from ecosystem.dashboard.indicators import Bucket, Indicator, Value, buckets_for, get_indicator
from ecosystem.dashboard.models import BudgetFigure, IndicatorTarget
from ecosystem.extensions import db


@dataclass(frozen=True)
class Point:
    bucket: Bucket
    value: Value
    target: float | None = None

    @property
    def attainment(self) -> float | None:
        """Actual as a percentage of the target (yearly points only)."""
        if self.target in (None, 0) or self.value.value is None:
            return None
        return 100 * self.value.value / self.target


cache = TTLCache()  # indicator values
open_data_cache = TTLCache()  # built open-data documents


def cache_seconds() -> int:
    return int(current_app.config.get("DASHBOARD_CACHE_SECONDS", 300))


def values(indicator: Indicator, period: str, year: int) -> tuple[list[Bucket], list[Value], float]:
    """(buckets, values, computed at as a UNIX time)."""
    buckets = buckets_for(period, year)
    key = (indicator.key, period, year)
    ttl = cache_seconds()
    hit = cache.get(key, ttl) if ttl > 0 else None
    if hit is not None:
        return buckets, hit[1], hit[0]
    computed = indicator.compute(buckets)
    return buckets, computed, cache.put(key, computed)


def targets(keys: list[str], years: set[int]) -> dict[tuple[str, int], float]:
    rows = db.session.scalars(
        sa.select(IndicatorTarget).where(
            IndicatorTarget.indicator.in_(keys), IndicatorTarget.year.in_(years)
        )
    )
    return {(t.indicator, t.year): t.value for t in rows}


def series(indicator: Indicator, period: str, year: int) -> tuple[list[Point], float]:
    buckets, computed, at = values(indicator, period, year)
    goals = targets([indicator.key], {b.year for b in buckets})
    points = [
        Point(b, v, goals.get((indicator.key, b.year)) if b.period == "year" else None)
        for b, v in zip(buckets, computed, strict=True)
    ]
    return points, at


def headline(indicators: list[Indicator], year: int) -> list[tuple[Indicator, Point]]:
    """Each indicator's value for ``year`` against its target."""
    goals = targets([i.key for i in indicators], {year})
    result = []
    for indicator in indicators:
        buckets, computed, _at = values(indicator, "year", year)
        result.append(
            (indicator, Point(buckets[-1], computed[-1], goals.get((indicator.key, year))))
        )
    return result


def set_target(indicator_key: str, year: int, value: float, user: Any) -> IndicatorTarget:
    if get_indicator(indicator_key) is None:
        raise UserError(_("Chỉ số không tồn tại."), field="indicator")
    if value is None or value < 0:
        raise UserError(_("Mục tiêu không được là số âm."), field="value")
    if not 2000 <= year <= 2100:
        raise UserError(_("Năm không hợp lệ."), field="year")
    target = db.session.scalar(
        sa.select(IndicatorTarget).where(
            IndicatorTarget.indicator == indicator_key, IndicatorTarget.year == year
        )
    )
    before = None if target is None else target.value
    if target is None:
        target = IndicatorTarget(indicator=indicator_key, year=year, value=value)
        db.session.add(target)
    target.value, target.set_by_id = value, getattr(user, "id", None)
    db.session.flush()
    record_audit(
        "indicator.target_set",
        target,
        actor=user,
        indicator=indicator_key,
        year=year,
        before={"value": before},
        after={"value": value},
    )
    return target


def set_budget(data: dict[str, Any], user: Any) -> BudgetFigure:
    year, spent, total = data["year"], data["st_spending"], data["total_spending"]
    source = (data.get("source") or "").strip()
    if not total or total <= 0:
        raise UserError(_("Tổng chi ngân sách phải lớn hơn 0."), field="total_spending")
    if spent is None or spent < 0:
        raise UserError(_("Số tiền không hợp lệ. Ví dụ: 150.000.000"), field="st_spending")
    if spent > total:
        raise UserError(
            _("Tỷ lệ chi cho KH&CN không thể vượt 100%: số chi lớn hơn tổng chi ngân sách."),
            field="st_spending",
        )
    if not source:
        raise UserError(_("Hãy ghi nguồn số liệu."), field="source")
    figure = db.session.scalar(sa.select(BudgetFigure).where(BudgetFigure.year == year))
    if figure is None:
        figure = BudgetFigure(year=year, st_spending=spent, total_spending=total, source=source)
        db.session.add(figure)
    figure.st_spending, figure.total_spending, figure.source = spent, total, source
    figure.entered_by_id = getattr(user, "id", None)
    db.session.flush()
    record_audit(
        "indicator.budget_set",
        figure,
        actor=user,
        year=year,
        st_spending=spent,
        total_spending=total,
        source=source,
    )
    cache.clear()  # this process shows the new figure at once
    return figure
