"""The research-cooperation rate: published research results with an enterprise partner
(through an accepted introduction, a reported deal, or a fund application with an
enterprise in it), over all published results — both counted at the end of each period."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ecosystem.core.formatting import format_date
from ecosystem.dashboard.indicators.base import (
    EXPORT_LIMIT,
    Bucket,
    Drill,
    Indicator,
    Value,
    later_of,
    stock_counts,
)
from ecosystem.extensions import db
from ecosystem.matching.models import Match
from ecosystem.registry.enums import ListingState, OrgKind
from ecosystem.registry.models import Organisation, ResearchResult
from ecosystem.workflow.models import (
    ApplicationPartner,
    ApplicationState,
    FundApplication,
    PartnerRole,
)

ENTERPRISES = (OrgKind.enterprise, OrgKind.startup)
PAGE = 50  # rows per drill-down page


def published_results() -> list[Any]:
    """The denominator's rows: results published (and not hidden by an administrator)."""
    return [
        ResearchResult.state == ListingState.published,
        ResearchResult.hidden_at.is_(None),
        ResearchResult.published_at.is_not(None),
    ]


def first_cooperation() -> sa.Subquery:
    """Per result, the first moment an enterprise partner appeared, and through what."""
    source_org = sa.orm.aliased(Organisation)
    via_match = (
        sa.select(
            Match.target_id.label("result_id"),
            Match.introduced_at.label("at"),
        )
        .join(source_org, source_org.id == Match.source_org_id)
        .where(
            Match.target_kind == "result",
            Match.introduced_at.is_not(None),
            source_org.kind.in_(ENTERPRISES),
        )
    )
    applicant = sa.orm.aliased(Organisation)
    enterprise_partner = sa.exists().where(
        ApplicationPartner.application_id == FundApplication.id,
        ApplicationPartner.role == PartnerRole.enterprise,
    )
    via_fund = (
        sa.select(
            FundApplication.result_id.label("result_id"),
            FundApplication.submitted_at.label("at"),
        )
        .join(applicant, applicant.id == FundApplication.organisation_id)
        .where(
            FundApplication.result_id.is_not(None),
            FundApplication.submitted_at.is_not(None),
            FundApplication.state.not_in((ApplicationState.draft, ApplicationState.withdrawn)),
            applicant.kind.in_(ENTERPRISES) | enterprise_partner,
        )
    )
    events = sa.union_all(via_match, via_fund).subquery()
    return (
        sa.select(events.c.result_id, sa.func.min(events.c.at).label("first_at"))
        .group_by(events.c.result_id)
        .subquery()
    )


def compute(buckets: Sequence[Bucket]) -> list[Value]:
    """Two statements: the published results at each period's end (one scan with a sum per
    period), and, over the few results with a cooperation, those cooperating by then."""
    denominators = stock_counts(ResearchResult.published_at, buckets, *published_results())
    coop = first_cooperation()
    numerators = stock_counts(
        later_of(ResearchResult.published_at, coop.c.first_at),
        buckets,
        *published_results(),
        select_from=sa.join(ResearchResult, coop, coop.c.result_id == ResearchResult.id),
    )
    return [
        Value(100 * n / d if d else None, n, d)
        for n, d in zip(numerators, denominators, strict=True)
    ]


def drill(bucket: Bucket, user: Any, page: int) -> Drill:
    """The results counted in the numerator at the end of ``bucket`` (all are public)."""
    coop = first_cooperation()
    since = later_of(ResearchResult.published_at, coop.c.first_at)
    where = [*published_results(), ResearchResult.published_at < bucket.end, since < bucket.end]
    base = sa.select(ResearchResult, coop.c.first_at).join(
        coop, coop.c.result_id == ResearchResult.id
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.where(*where).subquery()))
    statement = base.where(*where).order_by(ResearchResult.id)
    # One page, or every row for an export (page 0); a second limit() would replace the first.
    if page > 0:
        statement = statement.limit(PAGE).offset((page - 1) * PAGE)
    else:
        statement = statement.limit(EXPORT_LIMIT)
    rows = db.session.execute(statement).all()
    return Drill(
        header=[
            _("Mã"),
            _("Kết quả nghiên cứu"),
            _("Ngày công bố"),
            _("Có đối tác doanh nghiệp từ"),
        ],
        rows=[
            [r.id, r.title, format_date(r.published_at), format_date(first_at)]
            for r, first_at in rows
        ],
        total=total or 0,
        links=[url_for("results.detail", item_id=r.id) for r, _f in rows],
    )


INDICATOR = Indicator(
    key="cooperation_rate",
    label=_l("Tỷ lệ hợp tác nghiên cứu"),
    formula=_l(
        "Tỷ lệ hợp tác nghiên cứu (%) = số kết quả nghiên cứu đã công bố có đối tác doanh "
        "nghiệp (qua một giới thiệu được hai bên chấp nhận, một thỏa thuận đã báo cáo, hoặc "
        "một hồ sơ Quỹ có doanh nghiệp chủ trì hay tham gia) ÷ tổng số kết quả nghiên cứu "
        "đã công bố, cả hai tính đến cuối kỳ, × 100."
    ),
    unit="percent",
    group=_l("Liên kết ba nhà"),
    compute=compute,
    drill=drill,
    cumulative=True,
)
