"""The fund's indicators: calls opened, applications submitted, approvals, and the
disbursement share (paid ÷ awarded, both at the end of the period); drill-downs show the
applications the visitor may see (the fund's own visibility rule) and count the others."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from ecosystem.core.formatting import format_date, format_vnd
from ecosystem.dashboard.indicators.base import (
    Bucket,
    Drill,
    Value,
    as_counts,
    count_rows,
    flow_counts,
    page_rows,
    stock_counts,
)
from ecosystem.extensions import db
from ecosystem.workflow import permissions as fund_perms
from ecosystem.workflow.models import (
    ApplicationState,
    Award,
    CallState,
    Decision,
    Disbursement,
    FundApplication,
    FundCall,
    Milestone,
)

_SUBMITTED = [
    FundApplication.state != ApplicationState.draft,
    FundApplication.submitted_at.is_not(None),
]


def calls(buckets: Sequence[Bucket]) -> list[Value]:
    return as_counts(flow_counts(FundCall.opens_at, buckets, FundCall.state != CallState.draft))


def calls_drill(bucket: Bucket, user: Any, page: int) -> Drill:
    where = [
        FundCall.state != CallState.draft,
        FundCall.opens_at >= bucket.start,
        FundCall.opens_at < bucket.end,
    ]
    statement = sa.select(FundCall).where(*where).order_by(FundCall.id)
    rows = [c for (c,) in page_rows(statement, page)]
    return Drill(
        [_("Mã"), _("Đợt gọi"), _("Mở nhận hồ sơ"), _("Ngân sách")],
        [[c.id, c.title_vi, format_date(c.opens_at), format_vnd(c.budget)] for c in rows],
        count_rows(statement),
        links=[url_for("workflow.call", call_id=c.id) for c in rows],
    )


def applications(buckets: Sequence[Bucket]) -> list[Value]:
    return as_counts(flow_counts(FundApplication.submitted_at, buckets, *_SUBMITTED))


def _application_drill(where: list[Any], user: Any, page: int, join: Any = None) -> Drill:
    statement = sa.select(FundApplication)
    if join is not None:
        statement = statement.join(join)
    everything = count_rows(statement.where(*where))
    statement = statement.where(*where, fund_perms.visible_applications(user)).order_by(
        FundApplication.id
    )
    total = count_rows(statement)
    rows = [a for (a,) in page_rows(statement, page)]
    return Drill(
        [_("Mã"), _("Hồ sơ"), _("Ngày nộp")],
        [[a.id, a.title, format_date(a.submitted_at)] for a in rows],
        total,
        hidden=everything - total,
        links=[url_for("workflow.application", application_id=a.id) for a in rows],
    )


def applications_drill(bucket: Bucket, user: Any, page: int) -> Drill:
    where = [
        *_SUBMITTED,
        FundApplication.submitted_at >= bucket.start,
        FundApplication.submitted_at < bucket.end,
    ]
    return _application_drill(where, user, page)


_APPROVED = [Decision.outcome == ApplicationState.approved]


def approvals(buckets: Sequence[Bucket]) -> list[Value]:
    return as_counts(flow_counts(Decision.decided_at, buckets, *_APPROVED))


def approvals_drill(bucket: Bucket, user: Any, page: int) -> Drill:
    where = [*_APPROVED, Decision.decided_at >= bucket.start, Decision.decided_at < bucket.end]
    return _application_drill(where, user, page, join=Decision)


def disbursement_share(buckets: Sequence[Bucket]) -> list[Value]:
    paid = stock_counts(Disbursement.paid_on, buckets, amount=Disbursement.amount, dates=True)
    awarded = stock_counts(Award.signed_on, buckets, amount=Award.amount, dates=True)
    return [Value(100 * p / a if a else None, p, a) for p, a in zip(paid, awarded, strict=True)]


def disbursement_drill(bucket: Bucket, user: Any, page: int) -> Drill:
    where = [Award.signed_on < bucket.end_date]
    statement = sa.select(FundApplication).join(Award, Award.application_id == FundApplication.id)
    everything = count_rows(statement.where(*where))
    statement = statement.where(*where, fund_perms.visible_applications(user)).order_by(
        FundApplication.id
    )
    rows = [a for (a,) in page_rows(statement, page)]
    awards = {
        a.application_id: a
        for a in db.session.scalars(
            sa.select(Award).where(Award.application_id.in_([r.id for r in rows] or [-1]))
        )
    }
    paid = dict(
        db.session.execute(
            sa.select(Milestone.award_id, sa.func.sum(Disbursement.amount))
            .join(Disbursement, Disbursement.milestone_id == Milestone.id)
            .where(
                Milestone.award_id.in_([a.id for a in awards.values()] or [-1]),
                Disbursement.paid_on < bucket.end_date,
            )
            .group_by(Milestone.award_id)
        ).all()
    )
    total = count_rows(statement)
    return Drill(
        [_("Mã"), _("Hồ sơ"), _("Giá trị hợp đồng"), _("Đã giải ngân")],
        [
            [
                a.id,
                a.title,
                format_vnd(awards[a.id].amount),
                format_vnd(paid.get(awards[a.id].id, 0)),
            ]
            for a in rows
        ],
        total,
        hidden=everything - total,
        links=[url_for("workflow.award", application_id=a.id) for a in rows],
    )
