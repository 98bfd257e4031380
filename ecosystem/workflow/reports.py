"""The fund's tables: application lists for export, and the annual risk report
(Decree 264/2025/NĐ-CP) to the city People's Committee."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ecosystem.extensions import db
from ecosystem.workflow import ledger
from ecosystem.workflow.labels import fund_label
from ecosystem.workflow.models import (
    Award,
    Disbursement,
    FundApplication,
    FundCycle,
    Milestone,
    WriteOff,
)
from ecosystem.workflow.queries import my_applications


def application_table(user: Any, call_id: int | None = None) -> tuple[list[str], list[list[Any]]]:
    """What the user may see, as rows: the same filter as the pages."""
    header = [
        _("Số"),
        _("Dự án"),
        _("Tổ chức chủ trì"),
        _("Đợt gọi"),
        _("Trạng thái"),
        _("Kinh phí đề nghị (₫)"),
        _("Vốn đối ứng (₫)"),
        _("Ngày nộp"),
    ]
    rows = [
        [
            a.id,
            a.title,
            a.organisation.name_vi,
            a.call.title_vi,
            fund_label(a.state),
            a.requested_amount,
            a.cofunding_amount,
            a.submitted_at.date() if a.submitted_at else "",
        ]
        for a in my_applications(user)
        if call_id is None or a.call_id == call_id
    ]
    return header, rows


@dataclass
class RiskReport:
    positions: list[ledger.CyclePosition]
    awards: list[tuple[Award, int, int]]  # award, disbursed, written off

    def sheets(self) -> list[tuple[str, list[str], list[list[Any]]]]:
        cycles = [
            [
                p.cycle.name,
                p.cycle.starts_on,
                p.cycle.ends_on,
                p.cycle.charter_capital,
                p.cycle.state_budget_capital,
                round(p.state_share_percent, 1),
                p.committed,
                p.disbursed,
                p.written_off,
                p.loss_ceiling,
                p.loss_ceiling - p.written_off,
            ]
            for p in self.positions
        ]
        awards = [
            [
                a.contract_number,
                a.application.title,
                a.application.organisation.name_vi,
                a.signed_on,
                a.amount,
                disbursed,
                lost,
                fund_label(a.application.state),
            ]
            for a, disbursed, lost in self.awards
        ]
        return [
            (_("Chu kỳ đầu tư"), cycle_header(), cycles),
            (_("Hợp đồng"), award_header(), awards),
        ]


def cycle_header() -> list[str]:
    return [
        _("Chu kỳ"),
        _("Từ ngày"),
        _("Đến ngày"),
        _("Vốn điều lệ (₫)"),
        _("Vốn ngân sách nhà nước (₫)"),
        _("Tỷ lệ ngân sách (%)"),
        _("Đã cam kết (₫)"),
        _("Đã giải ngân (₫)"),
        _("Tổn thất đã chấp nhận (₫)"),
        _("Trần tổn thất 50% (₫)"),
        _("Còn trong trần tổn thất (₫)"),
    ]


def award_header() -> list[str]:
    return [
        _("Số hợp đồng"),
        _("Dự án"),
        _("Tổ chức chủ trì"),
        _("Ngày ký"),
        _("Giá trị (₫)"),
        _("Đã giải ngân (₫)"),
        _("Tổn thất (₫)"),
        _("Trạng thái"),
    ]


def risk_report() -> RiskReport:
    cycles = db.session.scalars(sa.select(FundCycle).order_by(FundCycle.starts_on)).all()
    lost = dict(
        db.session.execute(
            sa.select(WriteOff.award_id, sa.func.sum(WriteOff.amount)).group_by(WriteOff.award_id)
        ).all()
    )
    paid = dict(
        db.session.execute(
            sa.select(Milestone.award_id, sa.func.sum(Disbursement.amount))
            .join(Milestone, Milestone.id == Disbursement.milestone_id)
            .group_by(Milestone.award_id)
        ).all()
    )
    awards = db.session.scalars(
        sa.select(Award)
        .join(FundApplication)
        .options(selectinload(Award.application).selectinload(FundApplication.organisation))
        .order_by(Award.signed_on, Award.id)
    ).all()
    return RiskReport(
        positions=[ledger.position(c) for c in cycles],
        awards=[(a, int(paid.get(a.id, 0)), int(lost.get(a.id, 0))) for a in awards],
    )
