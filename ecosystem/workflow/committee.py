"""The committee's view of a call: every application with its reviews, ranked.

Per application: each submitted review's weighted mean on the rubric, their mean, their
spread (highest minus lowest) and a disagreement flag when the spread passes the call's
threshold, so the committee discusses those first. Ranked by mean, the running total of the
requested amounts shows the budget left if the committee funds down the ranking.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ecosystem.extensions import db
from ecosystem.workflow.models import (
    ApplicationState,
    AssignmentState,
    Decision,
    FundApplication,
    FundCall,
    ReviewAssignment,
)
from ecosystem.workflow.reviews import weighted_score

S = ApplicationState
IN_COMMITTEE = frozenset(
    {
        S.under_review,
        S.committee,
        S.approved,
        S.rejected,
        S.waitlisted,
        S.contracted,
        S.in_progress,
        S.closed,
        S.terminated,
    }
)


@dataclass
class Row:
    application: FundApplication
    scores: list[float] = field(default_factory=list)  # one per submitted review
    invited: int = 0
    decision: Decision | None = None
    rank: int | None = None
    budget_left: int | None = None  # after funding this one and every one ranked above
    disagreement: bool = False

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.scores) if self.scores else None

    @property
    def spread(self) -> float | None:
        return max(self.scores) - min(self.scores) if len(self.scores) > 1 else None


def committee_rows(call: FundCall) -> list[Row]:
    """Ranked rows (unscored last), in a fixed number of queries."""
    applications = db.session.scalars(
        sa.select(FundApplication)
        .where(FundApplication.call_id == call.id, FundApplication.state.in_(IN_COMMITTEE))
        .options(selectinload(FundApplication.organisation))
    ).all()
    rows = {a.id: Row(a) for a in applications}
    reviews: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for assignment in db.session.scalars(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.application_id.in_(rows),
            ReviewAssignment.state != AssignmentState.declined,
        )
    ):
        reviews[assignment.application_id].append(assignment)
    for decision in db.session.scalars(
        sa.select(Decision).where(Decision.application_id.in_(rows))
    ):
        rows[decision.application_id].decision = decision
    for application_id, items in reviews.items():
        row = rows[application_id]
        row.invited = len(items)
        for assignment in items:
            if assignment.state is AssignmentState.submitted:
                score = weighted_score(assignment, call.rubric)
                if score is not None:
                    row.scores.append(score)
        row.disagreement = row.spread is not None and row.spread > call.disagreement_threshold
    return _rank(call, list(rows.values()))


def _rank(call: FundCall, rows: list[Row]) -> list[Row]:
    scored = sorted(
        (r for r in rows if r.mean is not None), key=lambda r: (-r.mean, r.application.id)
    )
    left = call.budget
    for position, row in enumerate(scored, start=1):
        row.rank = position
        left -= _amount(row)
        row.budget_left = left
    return scored + sorted((r for r in rows if r.mean is None), key=lambda r: r.application.id)


def _amount(row: Row) -> int:
    if row.decision is not None and row.decision.outcome is S.approved:
        return row.decision.amount
    return row.application.requested_amount


def summary(rows: list[Row]) -> dict[str, Any]:
    approved = [r for r in rows if r.decision and r.decision.outcome is S.approved]
    return {
        "applications": len(rows),
        "reviewed": sum(1 for r in rows if r.scores),
        "disagreements": sum(1 for r in rows if r.disagreement),
        "approved": len(approved),
        "approved_amount": sum(r.decision.amount for r in approved),
    }
