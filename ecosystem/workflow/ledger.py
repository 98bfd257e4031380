"""The fund's risk ledger (Decree 264/2025/NĐ-CP on local venture funds).

Per investment cycle: the charter capital (the state budget holds at most 49% of it, a
check constraint in the database), what the fund committed (approved decisions), disbursed
and wrote off. Commitments can never exceed the charter capital, and the losses the fund
accepts in a cycle can never exceed half of it; a decision or a write-off that would break
either is refused with the numbers, and the committee view warns before that point.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from ecosystem.core.errors import UserError
from ecosystem.core.formatting import format_vnd
from ecosystem.core.models import utcnow
from ecosystem.core.transitions import lock_current
from ecosystem.extensions import db
from ecosystem.workflow.models import (
    ApplicationState,
    Award,
    Decision,
    Disbursement,
    FundApplication,
    FundCycle,
    Milestone,
    WriteOff,
)

LOSS_CEILING_PERCENT = 50  # of charter capital, per investment cycle
WARNING_PERCENT = 80  # of a limit: the committee view warns from here


@dataclass(frozen=True)
class CyclePosition:
    cycle: FundCycle
    committed: int
    disbursed: int
    written_off: int

    @property
    def capital_left(self) -> int:
        return self.cycle.charter_capital - self.committed

    @property
    def loss_ceiling(self) -> int:
        return self.cycle.charter_capital * LOSS_CEILING_PERCENT // 100

    @property
    def state_share_percent(self) -> float:
        return 100 * self.cycle.state_budget_capital / self.cycle.charter_capital

    def near_limit(self) -> bool:
        capital = self.cycle.charter_capital
        return (
            self.committed * 100 >= capital * WARNING_PERCENT
            or self.written_off * 100 >= self.loss_ceiling * WARNING_PERCENT
        )


def current_cycle(on: dt.date | None = None) -> FundCycle | None:
    on = on or utcnow().date()
    return db.session.scalar(
        sa.select(FundCycle).where(FundCycle.starts_on <= on, FundCycle.ends_on >= on)
    )


def position(cycle: FundCycle, *, exclude_application_id: int | None = None) -> CyclePosition:
    start = dt.datetime.combine(cycle.starts_on, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(cycle.ends_on, dt.time.max, tzinfo=dt.UTC)
    committed_q = sa.select(sa.func.coalesce(sa.func.sum(Decision.amount), 0)).where(
        Decision.outcome == ApplicationState.approved,
        Decision.decided_at >= start,
        Decision.decided_at <= end,
    )
    if exclude_application_id is not None:
        committed_q = committed_q.where(Decision.application_id != exclude_application_id)
    return CyclePosition(
        cycle,
        int(db.session.scalar(committed_q) or 0),
        disbursed(Award.cycle_id == cycle.id),
        written_off(Award.cycle_id == cycle.id),
    )


def disbursed(*where: sa.ColumnElement[bool]) -> int:
    """Money paid out, for conditions on the milestone, the award or the application."""
    statement = (
        sa.select(sa.func.coalesce(sa.func.sum(Disbursement.amount), 0))
        .join(Milestone, Milestone.id == Disbursement.milestone_id)
        .join(Award, Award.id == Milestone.award_id)
        .join(FundApplication, FundApplication.id == Award.application_id)
        .where(*where)
    )
    return int(db.session.scalar(statement) or 0)


def written_off(*where: sa.ColumnElement[bool]) -> int:
    """Losses accepted, for conditions on the award."""
    statement = (
        sa.select(sa.func.coalesce(sa.func.sum(WriteOff.amount), 0))
        .join(Award, Award.id == WriteOff.award_id)
        .where(*where)
    )
    return int(db.session.scalar(statement) or 0)


def ensure_commitment_allowed(amount: int, *, exclude_application_id: int | None = None) -> None:
    """Refuse an approval that would commit more than the cycle's charter capital."""
    cycle = current_cycle()
    if cycle is None:
        raise UserError(
            _("Chưa khai báo chu kỳ đầu tư hiện tại của Quỹ; không thể phê duyệt."), field="amount"
        )
    # Approvals of different applications at once must not both fit in the same room: the
    # cycle row is the lock that serialises them.
    lock_current(cycle)
    now = position(cycle, exclude_application_id=exclude_application_id)
    if now.committed + amount > cycle.charter_capital:
        raise UserError(
            _(
                "Quyết định này vượt vốn điều lệ của chu kỳ: đã cam kết %(done)s, còn %(left)s.",
                done=format_vnd(now.committed),
                left=format_vnd(now.capital_left),
            ),
            field="amount",
        )


def ensure_write_off_allowed(cycle: FundCycle, amount: int) -> None:
    lock_current(cycle)
    now = position(cycle)
    if now.written_off + amount > now.loss_ceiling:
        raise UserError(
            _(
                "Tổn thất được chấp nhận trong chu kỳ không được vượt %(pct)d%% vốn điều lệ "
                "(%(ceiling)s); đã ghi nhận %(done)s.",
                pct=LOSS_CEILING_PERCENT,
                ceiling=format_vnd(now.loss_ceiling),
                done=format_vnd(now.written_off),
            ),
            field="amount",
        )
