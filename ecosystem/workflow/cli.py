"""Operator commands for the fund: ``flask fund cycle-create|cycles``.

An investment cycle and its capital come from the fund's charter (Decree 264/2025/NĐ-CP),
set once by an operator; approvals and write-offs are checked against it.
"""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.formatting import format_vnd, parse_date, parse_vnd
from ecosystem.core.operator import operator_transaction
from ecosystem.extensions import db
from ecosystem.workflow import ledger
from ecosystem.workflow.models import FundCycle

fund_group = AppGroup("fund", help="The fund's investment cycles and capital.")


def _date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError:
        raise click.BadParameter(f"{text!r}: write dd/mm/yyyy") from None


def _amount(text: str) -> int:
    try:
        return parse_vnd(text)
    except ValueError:
        raise click.BadParameter(f"{text!r}: an amount in VND, e.g. 100.000.000.000") from None


@fund_group.command("cycle-create")
@click.argument("name")
@click.option("--from", "starts", required=True, help="First day, dd/mm/yyyy.")
@click.option("--to", "ends", required=True, help="Last day, dd/mm/yyyy.")
@click.option("--capital", required=True, help="Charter capital in VND.")
@click.option("--state-budget", default="0", help="Of which from the state budget (≤ 49%).")
def cycle_create_command(
    name: str, starts: str, ends: str, capital: str, state_budget: str
) -> None:
    """Declare an investment cycle and its capital."""
    first, last = _date(starts), _date(ends)
    charter, state = _amount(capital), _amount(state_budget)
    with operator_transaction():
        if first >= last:
            raise UserError(_("Ngày kết thúc phải sau ngày bắt đầu."))
        if charter <= 0 or state * 100 > charter * 49:
            raise UserError(_("Vốn ngân sách nhà nước tối đa 49% vốn điều lệ."))
        if db.session.scalar(select(FundCycle.id).where(FundCycle.name == name.strip())):
            raise UserError(_("Đã có chu kỳ mang tên này."))
        overlapping = db.session.scalar(
            select(FundCycle.name).where(FundCycle.starts_on <= last, FundCycle.ends_on >= first)
        )
        if overlapping:
            raise UserError(_("Chu kỳ trùng thời gian với chu kỳ “%(name)s”.", name=overlapping))
        cycle = FundCycle(
            name=name.strip()[:100],
            starts_on=first,
            ends_on=last,
            charter_capital=charter,
            state_budget_capital=state,
        )
        db.session.add(cycle)
        db.session.flush()
        record_audit("fund_cycle.created", cycle, charter_capital=charter, state_budget=state)
    click.echo(
        f"cycle {cycle.name}: {format_vnd(charter)} charter capital, {format_vnd(state)} state budget"
    )


@fund_group.command("cycles")
def cycles_command() -> None:
    """The cycles and where each stands against its limits."""
    with operator_transaction():
        for cycle in db.session.scalars(select(FundCycle).order_by(FundCycle.starts_on)):
            p = ledger.position(cycle)
            click.echo(
                f"{cycle.name} {cycle.starts_on:%d/%m/%Y}–{cycle.ends_on:%d/%m/%Y}: "
                f"committed {format_vnd(p.committed)} of {format_vnd(cycle.charter_capital)}, "
                f"disbursed {format_vnd(p.disbursed)}, written off {format_vnd(p.written_off)} "
                f"(ceiling {format_vnd(p.loss_ceiling)})"
            )
