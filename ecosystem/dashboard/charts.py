"""Chart.js configurations (drawn by static/js/app.js from a data-chart attribute) and the
tables that sit beside them, built from the same numbers."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ecosystem.core.formatting import format_decimal, format_number, format_vnd
from ecosystem.dashboard.figures import Point
from ecosystem.dashboard.indicators import Indicator

COLOURS = ("#0d6efd", "#20c997", "#ffc107", "#198754", "#6f42c1", "#dc3545")


def shown(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return "—"
    if indicator.unit == "percent":
        return f"{format_decimal(value)}%"
    if indicator.unit == "vnd":
        return format_vnd(value)
    return format_number(int(value))


def trend_chart(indicator: Indicator, points: list[Point]) -> dict[str, Any]:
    datasets = [
        {
            "label": str(indicator.label),
            "data": [None if p.value.value is None else round(p.value.value, 2) for p in points],
            "borderColor": COLOURS[0],
            "backgroundColor": COLOURS[0],
        }
    ]
    if any(p.target is not None for p in points):
        datasets.append(
            {
                "label": _("Mục tiêu"),
                "data": [p.target for p in points],
                "borderColor": COLOURS[5],
                "backgroundColor": COLOURS[5],
                "borderDash": [6, 4],
                "type": "line",
            }
        )
    kind = "line" if indicator.cumulative or indicator.unit == "percent" else "bar"
    return {
        "type": kind,
        "data": {"labels": [p.bucket.label for p in points], "datasets": datasets},
        "options": {"scales": {"y": {"beginAtZero": True}}},
    }


def funnel_chart(stages: list[tuple[Indicator, Point]]) -> dict[str, Any]:
    return {
        "type": "bar",
        "data": {
            "labels": [str(i.label) for i, _p in stages],
            "datasets": [
                {
                    "label": _("Số kết nối"),
                    "data": [p.value.value or 0 for _i, p in stages],
                    "backgroundColor": list(COLOURS[: len(stages)]),
                }
            ],
        },
        "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}}},
    }
