"""The platform's own indicators: cooperation, enterprises and startups, the matching
funnel, the fund, and the S&T budget share (entered by the secretariat)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ecosystem.core.formatting import format_date, format_vnd
from ecosystem.dashboard.indicators import cooperation, fund
from ecosystem.dashboard.indicators.base import (
    Bucket,
    Drill,
    Indicator,
    Value,
    as_counts,
    count_rows,
    earlier_of,
    flow_counts,
    page_rows,
)
from ecosystem.dashboard.models import BudgetFigure
from ecosystem.extensions import db
from ecosystem.matching import permissions as match_perms
from ecosystem.matching.models import Match, MatchState
from ecosystem.registry.enums import ListingState, OrgKind
from ecosystem.registry.models import Organisation, Startup

FUNNEL = _l("Kết nối: đề xuất → quan tâm → giới thiệu → thỏa thuận")
FUND = _l("Quỹ phát triển KH&CN")
ECOSYSTEM = _l("Doanh nghiệp và khởi nghiệp")
BUDGET = _l("Ngân sách KH&CN")


# Enterprises and startups ---------------------------------------------------------------

_ENTERPRISE = [Organisation.kind == OrgKind.enterprise, Organisation.merged_into_id.is_(None)]
_STARTUP = [Startup.state == ListingState.published, Startup.hidden_at.is_(None)]


def _enterprises(buckets: Sequence[Bucket]) -> list[Value]:
    return as_counts(flow_counts(Organisation.created_at, buckets, *_ENTERPRISE))


def _enterprises_drill(bucket: Bucket, user: Any, page: int) -> Drill:
    where = [
        *_ENTERPRISE,
        Organisation.created_at >= bucket.start,
        Organisation.created_at < bucket.end,
    ]
    statement = sa.select(Organisation).where(*where).order_by(Organisation.id)
    rows = [o for (o,) in page_rows(statement, page)]
    return Drill(
        [_("Mã"), _("Tổ chức"), _("Ngày đăng ký")],
        [[o.id, o.name_vi, format_date(o.created_at)] for o in rows],
        count_rows(statement),
        links=[url_for("registry.organisation", org_id=o.id) for o in rows],
    )


def _startups(buckets: Sequence[Bucket]) -> list[Value]:
    return as_counts(flow_counts(Startup.published_at, buckets, *_STARTUP))


def _startups_drill(bucket: Bucket, user: Any, page: int) -> Drill:
    where = [*_STARTUP, Startup.published_at >= bucket.start, Startup.published_at < bucket.end]
    statement = sa.select(Startup).where(*where).order_by(Startup.id)
    rows = [s for (s,) in page_rows(statement, page)]
    return Drill(
        [_("Mã"), _("Khởi nghiệp"), _("Ngày đăng")],
        [[s.id, s.name, format_date(s.published_at)] for s in rows],
        count_rows(statement),
        links=[url_for("startups.detail", item_id=s.id) for s in rows],
    )


# The matching funnel: each stage counted on the date the match reached it -----------------

FIRST_INTEREST = earlier_of(Match.source_interested_at, Match.target_interested_at)
STAGES: dict[str, tuple[Any, bool]] = {
    "matches_proposed": (Match.created_at, False),
    "matches_interested": (FIRST_INTEREST, False),
    "matches_introduced": (Match.introduced_at, False),
    "deals": (Match.deal_date, True),
}


def _stage(key: str):
    column, dates = STAGES[key]
    extra = [Match.state == MatchState.deal_reported] if key == "deals" else []

    def compute(buckets: Sequence[Bucket]) -> list[Value]:
        return as_counts(flow_counts(column, buckets, *extra, dates=dates))

    def drill(bucket: Bucket, user: Any, page: int) -> Drill:
        lo, hi = (bucket.start_date, bucket.end_date) if dates else (bucket.start, bucket.end)
        where = [column.is_not(None), column >= lo, column < hi, *extra]
        everything = count_rows(sa.select(Match.id).where(*where))
        statement = (
            sa.select(Match).where(*where, match_perms.visible_matches(user)).order_by(Match.id)
        )
        total = count_rows(statement)
        rows = [m for (m,) in page_rows(statement, page)]
        return Drill(
            [_("Mã"), _("Hai bên"), _("Trạng thái"), _("Giá trị thỏa thuận")],
            [
                [
                    m.id,
                    f"{m.source_kind} {m.source_id} ↔ {m.target_kind} {m.target_id}",
                    m.state.value,
                    format_vnd(m.deal_value) if m.deal_value else "",
                ]
                for m in rows
            ],
            total,
            hidden=everything - total,
            links=[url_for("matching.detail", match_id=m.id) for m in rows],
        )

    return compute, drill


def _deal_value(buckets: Sequence[Bucket]) -> list[Value]:
    values = flow_counts(
        Match.deal_date,
        buckets,
        Match.state == MatchState.deal_reported,
        amount=sa.func.coalesce(Match.deal_value, 0),
        dates=True,
    )
    return as_counts(values)


# The S&T budget share: the secretariat's figures, per year -------------------------------


def _budget(buckets: Sequence[Bucket]) -> list[Value]:
    years = {b.year for b in buckets}
    figures = {
        f.year: f
        for f in db.session.scalars(sa.select(BudgetFigure).where(BudgetFigure.year.in_(years)))
    }
    values = []
    for b in buckets:
        f = figures.get(b.year)
        values.append(Value(f.share_percent, f.st_spending, f.total_spending) if f else Value(None))
    return values


def _budget_drill(bucket: Bucket, user: Any, page: int) -> Drill:
    figures = list(
        db.session.scalars(sa.select(BudgetFigure).where(BudgetFigure.year == bucket.year))
    )
    return Drill(
        [
            _("Năm"),
            _("Chi cho KH&CN, ĐMST và chuyển đổi số (₫)"),
            _("Tổng chi ngân sách thành phố (₫)"),
            _("Nguồn số liệu"),
        ],
        [
            [f.year, format_vnd(f.st_spending), format_vnd(f.total_spending), f.source]
            for f in figures
        ],
        len(figures),
    )


def platform_indicators() -> list[Indicator]:
    proposed, interested, introduced, deals = (_stage(k) for k in STAGES)
    return [
        cooperation.INDICATOR,
        Indicator(
            "enterprises",
            _l("Doanh nghiệp đăng ký trên nền tảng"),
            _l(
                "Số tổ chức loại doanh nghiệp được đăng ký trên nền tảng trong kỳ (không tính hồ sơ đã gộp vào tổ chức khác)."
            ),
            "count",
            ECOSYSTEM,
            _enterprises,
            _enterprises_drill,
        ),
        Indicator(
            "startups",
            _l("Khởi nghiệp đổi mới sáng tạo đăng ký"),
            _l(
                "Số hồ sơ khởi nghiệp được đăng công khai trong kỳ (không tính bản nháp và hồ sơ bị ẩn)."
            ),
            "count",
            ECOSYSTEM,
            _startups,
            _startups_drill,
        ),
        Indicator(
            "matches_proposed",
            _l("Kết nối được đề xuất"),
            _l("Số đề xuất kết nối do hệ thống tạo trong kỳ."),
            "count",
            FUNNEL,
            *proposed,
        ),
        Indicator(
            "matches_interested",
            _l("Kết nối có bên quan tâm"),
            _l("Số kết nối có ít nhất một bên bày tỏ quan tâm lần đầu trong kỳ."),
            "count",
            FUNNEL,
            *interested,
        ),
        Indicator(
            "matches_introduced",
            _l("Giới thiệu thành công"),
            _l("Số kết nối được cả hai bên chấp nhận (giới thiệu) trong kỳ."),
            "count",
            FUNNEL,
            *introduced,
        ),
        Indicator(
            "deals",
            _l("Thỏa thuận hợp tác"),
            _l("Số thỏa thuận (hợp đồng, chuyển giao, đầu tư…) được báo cáo với ngày ký trong kỳ."),
            "count",
            FUNNEL,
            *deals,
        ),
        Indicator(
            "deal_value",
            _l("Giá trị thỏa thuận (₫)"),
            _l("Tổng giá trị (VNĐ) các thỏa thuận có ngày ký trong kỳ."),
            "vnd",
            FUNNEL,
            _deal_value,
            deals[1],
        ),
        Indicator(
            "fund_calls",
            _l("Đợt gọi hồ sơ của Quỹ"),
            _l("Số đợt gọi hồ sơ mở nhận hồ sơ trong kỳ (không tính bản nháp)."),
            "count",
            FUND,
            fund.calls,
            fund.calls_drill,
        ),
        Indicator(
            "fund_applications",
            _l("Hồ sơ đề nghị tài trợ"),
            _l("Số hồ sơ được nộp vào Quỹ trong kỳ."),
            "count",
            FUND,
            fund.applications,
            fund.applications_drill,
        ),
        Indicator(
            "fund_approvals",
            _l("Hồ sơ được phê duyệt"),
            _l("Số quyết định phê duyệt tài trợ trong kỳ."),
            "count",
            FUND,
            fund.approvals,
            fund.approvals_drill,
        ),
        Indicator(
            "disbursement_share",
            _l("Tỷ lệ giải ngân của Quỹ"),
            _l(
                "Tỷ lệ giải ngân (%) = tổng số tiền đã giải ngân tính đến cuối kỳ ÷ tổng giá trị các hợp đồng tài trợ đã ký tính đến cuối kỳ × 100."
            ),
            "percent",
            FUND,
            fund.disbursement_share,
            fund.disbursement_drill,
            cumulative=True,
        ),
        Indicator(
            "budget_share",
            _l("Tỷ lệ chi ngân sách cho KH&CN, ĐMST và chuyển đổi số"),
            _l(
                "Tỷ lệ (%) = chi ngân sách thành phố cho khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số trong năm ÷ tổng chi ngân sách thành phố trong năm × 100; số liệu do Tổ giúp việc nhập kèm nguồn. Mục tiêu: 3%."
            ),
            "percent",
            BUDGET,
            _budget,
            _budget_drill,
            annual=True,
        ),
    ]
