"""``flask fund cycle-create``: the charter's capital, its 49% state share, no overlaps."""

from __future__ import annotations

from ecosystem.extensions import db
from ecosystem.workflow.models import FundCycle


def test_a_cycle_is_declared_once_within_the_limits(cli):
    args = [
        "fund",
        "cycle-create",
        "Chu kỳ 2027–2031",
        "--from",
        "01/01/2027",
        "--to",
        "31/12/2031",
    ]
    result = cli(*args, "--capital", "100.000.000.000", "--state-budget", "49.000.000.000")
    assert result.exit_code == 0, result.output
    cycle = db.session.scalars(db.select(FundCycle)).one()
    assert (cycle.charter_capital, cycle.state_budget_capital) == (100_000_000_000, 49_000_000_000)
    again = cli(
        "fund",
        "cycle-create",
        "Khác",
        "--from",
        "01/06/2030",
        "--to",
        "31/12/2032",
        "--capital",
        "1.000",
    )
    assert again.exit_code == 1 and "overlaps" in again.output  # operators read English
    over = cli(
        "fund",
        "cycle-create",
        "Sau",
        "--from",
        "01/01/2032",
        "--to",
        "31/12/2033",
        "--capital",
        "100",
        "--state-budget",
        "50",
    )
    assert over.exit_code == 1 and "49%" in over.output
    bad = cli(
        "fund", "cycle-create", "X", "--from", "31/02/2040", "--to", "01/01/2041", "--capital", "1"
    )
    assert bad.exit_code == 2
    assert db.session.scalar(db.select(db.func.count(FundCycle.id))) == 1
    listed = cli("fund", "cycles")
    assert "committed 0 ₫ of 100.000.000.000 ₫" in listed.output
