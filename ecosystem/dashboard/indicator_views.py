"""Indicator pages: the public overview (headline indicators and the task shares), one
indicator by month, quarter or year with its formula, chart, table and target, its CSV/xlsx
export, and the drill-down to the records behind a value (signed in; filtered by the
records' own visibility rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, g, render_template, request
from flask_babel import gettext as _

from ecosystem.core.formatting import format_datetime
from ecosystem.core.pagination import int_arg
from ecosystem.core.permissions import login_required, require
from ecosystem.dashboard import charts, figures
from ecosystem.dashboard import permissions as perms
from ecosystem.dashboard.blueprint import public_bp
from ecosystem.dashboard.indicators import Indicator, all_indicators, get_indicator
from ecosystem.dashboard.indicators.base import PERIODS, parse_bucket
from ecosystem.dashboard.indicators.builtin import STAGES
from ecosystem.dashboard.labels import dash_label
from ecosystem.dashboard.models import TaskStatus
from ecosystem.dashboard.shares import compute_shares, today
from ecosystem.registry.spreadsheets import table_download


def current_year() -> int:
    return today().year


def year_arg() -> int:
    return int_arg("year", current_year(), minimum=2000, maximum=2100)


def period_arg() -> str:
    period = request.args.get("period", "month")
    return period if period in PERIODS else "month"


def indicator_or_404(key: str) -> Indicator:
    indicator = get_indicator(key)
    if indicator is None:
        abort(404)
    return indicator


def overview_context(year: int) -> dict[str, Any]:
    """What the public page, the committee's overview and the printed report share."""
    indicators = all_indicators()
    heads = figures.headline(indicators, year)
    by_key = {i.key: (i, p) for i, p in heads}
    funnel = [by_key[k] for k in STAGES if k in by_key]
    coop = by_key.get("cooperation_rate")
    coop_points, computed_at = (
        figures.series(coop[0], "month", year) if coop else ([], dt.datetime.now().timestamp())
    )
    return {
        "year": year,
        "heads": heads,
        "groups": _groups(heads),
        "funnel": funnel,
        "funnel_chart": charts.funnel_chart(funnel),
        "coop_chart": charts.trend_chart(coop[0], coop_points) if coop else None,
        "coop_points": coop_points,
        "coop": coop[0] if coop else None,
        "shares": compute_shares(),
        "shown": charts.shown,
        "computed_at": format_datetime(dt.datetime.fromtimestamp(computed_at, dt.UTC)),
        "cache_minutes": max(1, figures.cache_seconds() // 60),
    }


def _groups(heads: list[tuple[Indicator, figures.Point]]) -> list[tuple[str, list[Any]]]:
    groups: dict[str, list[Any]] = {}
    for indicator, point in heads:
        groups.setdefault(str(indicator.group), []).append((indicator, point))
    return list(groups.items())


@public_bp.get("/")
def index():
    context = overview_context(year_arg())
    context["heads"] = [(i, p) for i, p in context["heads"] if i.public]
    return render_template("dashboard/public.html", **context)


@public_bp.get("/<key>")
def indicator(key: str):
    item = indicator_or_404(key)
    period = "year" if item.annual else period_arg()
    year = year_arg()
    points, at = figures.series(item, period, year)
    return render_template(
        "dashboard/indicator.html",
        indicator=item,
        points=points,
        period=period,
        periods=PERIODS,
        year=year,
        chart=charts.trend_chart(item, points),
        shown=charts.shown,
        computed_at=format_datetime(dt.datetime.fromtimestamp(at, dt.UTC)),
        cache_minutes=max(1, figures.cache_seconds() // 60),
        can_drill=item.drill is not None and perms.can_drill_down(g.user),
    )


def indicator_table(item: Indicator, points: list[figures.Point]) -> tuple[list[str], list[list]]:
    header = [_("Kỳ"), str(item.label), _("Tử số"), _("Mẫu số"), _("Mục tiêu")]
    rows = [
        [
            p.bucket.label,
            None if p.value.value is None else round(p.value.value, 2),
            p.value.numerator,
            p.value.denominator,
            p.target,
        ]
        for p in points
    ]
    return header, rows


def summary_table(year: int) -> tuple[list[str], list[list]]:
    """The overview's tables in one: the task shares, then every headline indicator."""

    context = overview_context(year)
    shares = context["shares"]
    header = [_("Mục"), _("Chỉ số"), _("Giá trị"), _("Tử số"), _("Mẫu số"), _("Mục tiêu")]
    section = _("Nhiệm vụ")
    rows: list[list] = [
        [
            section,
            dash_label(s),
            round(shares.percent(s), 2),
            shares.counts.get(s, 0),
            shares.total,
            None,
        ]
        for s in TaskStatus
    ]
    rows.append(
        [
            section,
            _("Trong đó quá hạn"),
            round(shares.overdue_percent, 2),
            shares.overdue,
            shares.total,
            None,
        ]
    )
    for indicator, point in context["heads"]:
        value = point.value.value
        rows.append(
            [
                str(indicator.group),
                str(indicator.label),
                None if value is None else round(value, 2),
                point.value.numerator,
                point.value.denominator,
                point.target,
            ]
        )
    return header, rows


@public_bp.get("/<key>.<any(csv, xlsx):fmt>")
def indicator_export(key: str, fmt: str):
    if key == "summary":
        year = year_arg()
        header, rows = summary_table(year)
        return table_download(header, rows, fmt, f"chi-so-{year}")
    item = indicator_or_404(key)
    period = "year" if item.annual else period_arg()
    points, _at = figures.series(item, period, year_arg())
    header, rows = indicator_table(item, points)
    return table_download(header, rows, fmt, f"chi-so-{item.key}")


@public_bp.get("/<key>/records")
@login_required
def records(key: str):
    item = indicator_or_404(key)
    require(perms.can_drill_down(g.user, item))
    bucket = parse_bucket(request.args.get("bucket", ""))
    if item.drill is None or bucket is None:
        abort(404)
    page = int_arg("page", 1, maximum=10_000)
    drill = item.drill(bucket, g.user, page)
    if request.args.get("format") in ("csv", "xlsx"):
        return table_download(
            drill.header, drill.rows, request.args["format"], f"{item.key}-{bucket.key}"
        )
    return render_template(
        "dashboard/records.html", indicator=item, bucket=bucket, drill=drill, page=page
    )
