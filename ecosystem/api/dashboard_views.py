"""The steering committee's part of the JSON API: tasks with their shares (public fields
for everyone; reports and history for the committee's tokens) and the indicators by month,
quarter or year with their formulas and targets (public)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _

from ecosystem.api.dashboard_schemas import serialize_task
from ecosystem.api.views import bp, error
from ecosystem.core.pagination import int_arg, paginate
from ecosystem.dashboard import figures
from ecosystem.dashboard.indicators import Indicator, all_indicators, get_indicator
from ecosystem.dashboard.indicators.base import PERIODS
from ecosystem.dashboard.models import SteeringTask, TaskSource, TaskStatus
from ecosystem.dashboard.shares import compute_shares, task_filter, today
from ecosystem.extensions import limiter


def _invalid(name: str):
    return error(
        422, _("Dữ liệu không hợp lệ."), {name: _("Giá trị không thuộc danh sách cho phép.")}
    )


@bp.get("/tasks")
@limiter.limit("120 per minute")
def list_tasks():
    source, status = request.args.get("source", ""), request.args.get("status", "")
    if source and source not in TaskSource.__members__:
        return _invalid("source")
    if status and status not in TaskStatus.__members__:
        return _invalid("status")
    unit = request.args.get("unit", "").strip()[:200]
    scope = task_filter(unit, source)
    page = paginate(
        sa.select(SteeringTask)
        .where(*task_filter(unit, source, status))
        .order_by(SteeringTask.code)
    )
    return jsonify(
        items=[serialize_task(t, g.user) for t in page.items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        shares=compute_shares(*scope).as_dict(),
    )


def _indicator(item: Indicator, period: str, year: int) -> dict[str, Any]:
    points, computed_at = figures.series(item, "year" if item.annual else period, year)
    return {
        "key": item.key,
        "label": str(item.label),
        "formula": str(item.formula),
        "unit": item.unit,
        "group": str(item.group),
        "cumulative": item.cumulative,
        "values": [
            {
                "period": p.bucket.key,
                "value": None if p.value.value is None else round(p.value.value, 4),
                "numerator": p.value.numerator,
                "denominator": p.value.denominator,
                "target": p.target,
            }
            for p in points
        ],
    }


def _period_and_year():
    period = request.args.get("period", "year")
    if period not in PERIODS:
        return None, None
    return period, int_arg("year", today().year, minimum=2000, maximum=2100)


@bp.get("/indicators")
@limiter.limit("120 per minute")
def list_indicators():
    period, year = _period_and_year()
    if period is None:
        return _invalid("period")
    items = [_indicator(i, period, year) for i in all_indicators() if i.public]
    return jsonify(items=items, period=period, year=year, language=str(get_locale()))


@bp.get("/indicators/<key>")
def get_indicator_values(key: str):
    item = get_indicator(key)
    if item is None or not item.public:
        return error(404, _("Không tìm thấy chỉ số."))
    period, year = _period_and_year()
    if period is None:
        return _invalid("period")
    return jsonify(_indicator(item, period, year))
