"""Expert review: assignment, the conflict declaration, scores on the call's rubric.

An assignment starts *invited*: the expert sees only the application's number and call
until they declare no conflict of interest (→ accepted, the details open) or declare one
(→ declined, recorded as a conflict, which closes every channel for good). Conflicts the
registry shows are checked at assignment, so a conflicted expert is never invited. Scores
stay private to the reviewer until they submit; a submitted review is final.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ecosystem.auth.models import PlatformRole, User
from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.core.transitions import Transition, Workflow
from ecosystem.extensions import db
from ecosystem.workflow import conflicts
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.models import (
    ApplicationState,
    AssignmentState,
    FundApplication,
    ReviewAssignment,
)
from ecosystem.workflow.notices import tell_reviewer

A = AssignmentState
REVIEWABLE = frozenset({ApplicationState.under_review})
COMMENT_LIMIT = 5000


# Assignment ---------------------------------------------------------------------------


def load_of(reviewer_id: int, call_id: int) -> int:
    """Assignments an expert holds in a call (a declared conflict does not count)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(ReviewAssignment.id))
            .join(FundApplication, FundApplication.id == ReviewAssignment.application_id)
            .where(
                ReviewAssignment.reviewer_id == reviewer_id,
                FundApplication.call_id == call_id,
                ReviewAssignment.state != A.declined,
            )
        )
        or 0
    )


def assign(
    application: FundApplication, reviewer: User, by: Any, *, override_reason: str = ""
) -> ReviewAssignment:
    """Invite an expert; refused on a conflict, or over the load limit without a reason."""
    if not perms.can_decide(by, application):
        raise UserError(_("Chỉ cán bộ Quỹ được phân công chuyên gia."), status=403)
    if application.state not in REVIEWABLE:
        raise UserError(_("Chỉ phân công chuyên gia cho hồ sơ đang thẩm định."))
    if not reviewer.is_active or not reviewer.has_role(PlatformRole.reviewer):
        raise UserError(_("Người này không phải chuyên gia phản biện."), field="reviewer_id")
    if perms.assignment_of(reviewer, application) is not None:
        raise UserError(_("Chuyên gia này đã được phân công cho hồ sơ."), field="reviewer_id")
    found = conflicts.detect(application, reviewer)
    if found or perms.has_conflict(reviewer, application):
        # Refused, so nothing opens; the rows are written when an invited expert is found
        # conflicted later (a refusal here is rolled back with the rest of the request).
        reasons = "; ".join(c.label for c in found) or _("đã ghi nhận trước đó")
        raise UserError(
            _(
                "Không thể phân công: chuyên gia có xung đột lợi ích (%(reasons)s).",
                reasons=reasons,
            ),
            field="reviewer_id",
        )
    call = application.call
    load = load_of(reviewer.id, call.id)
    override_reason = override_reason.strip()
    if load >= call.reviewer_load_limit and not override_reason:
        raise UserError(
            _(
                "Chuyên gia đã nhận %(load)d/%(limit)d hồ sơ của đợt gọi. Ghi lý do để vượt giới hạn.",
                load=load,
                limit=call.reviewer_load_limit,
            ),
            field="override_reason",
        )
    assignment = ReviewAssignment(
        application_id=application.id,
        reviewer_id=reviewer.id,
        assigned_by_id=by.id,
        override_reason=override_reason if load >= call.reviewer_load_limit else "",
    )
    db.session.add(assignment)
    db.session.flush()
    record_audit(
        "fund_review.assigned",
        assignment,
        actor=by,
        application_id=application.id,
        reviewer_id=reviewer.id,
        load=load + 1,
        override_reason=assignment.override_reason,
    )
    tell_reviewer(application, reviewer, "fund.review_assigned", assignment.id)
    return assignment


# The reviewer's steps -------------------------------------------------------------------


def _is_reviewer(user: Any, assignment: ReviewAssignment) -> bool:
    return user is not None and assignment.reviewer_id == user.id


def _still_reviewable(assignment: ReviewAssignment) -> str | None:
    if assignment.application.state not in REVIEWABLE:
        return _("Hồ sơ không còn ở giai đoạn thẩm định.")
    return None


def _declare_none(assignment: ReviewAssignment, user: Any, **data: Any) -> AssignmentState | None:
    assignment.declared_at = utcnow()
    # The registry may have learnt something since the invitation (a new membership): then
    # the declaration is overruled, the conflict recorded, and the details stay closed.
    found = conflicts.detect(assignment.application, user)
    if found:
        conflicts.record(assignment.application, user, found)
        return A.declined
    return None


def _declare_conflict(
    assignment: ReviewAssignment, user: Any, *, detail: str = "", **data: Any
) -> None:
    conflicts.record(
        assignment.application, user, [conflicts.Conflict("declared", detail.strip()[:2000])]
    )
    assignment.declared_at = utcnow()


def _submit(assignment: ReviewAssignment, user: Any, **data: Any) -> None:
    if data:
        save_scores(assignment, user, **data)
    missing = [
        c for c in assignment.application.call.rubric if c["key"] not in (assignment.scores or {})
    ]
    if missing:
        raise UserError(
            _("Chưa chấm tiêu chí: %(name)s.", name=missing[0]["label_vi"]),
            field=f"score_{missing[0]['key']}",
        )
    assignment.submitted_at = utcnow()


def _review_t(name, sources, target, label, **kw) -> Transition:
    return Transition(
        name,
        frozenset(sources),
        target,
        _is_reviewer,
        f"fund_review.{name}",
        label=label,
        guard=_still_reviewable,
        **kw,
    )


ASSIGNMENT_WORKFLOW = Workflow(
    ReviewAssignment,
    [
        _review_t(
            "declare_none",
            {A.invited},
            A.accepted,
            _l("Tôi cam kết không có xung đột lợi ích"),
            effect=_declare_none,
        ),
        _review_t(
            "declare_conflict",
            {A.invited, A.accepted},
            A.declined,
            _l("Tôi có xung đột lợi ích"),
            effect=_declare_conflict,
            style="outline-danger",
        ),
        _review_t("submit", {A.accepted}, A.submitted, _l("Nộp nhận xét"), effect=_submit),
    ],
)


def save_scores(
    assignment: ReviewAssignment,
    user: Any,
    *,
    scores: dict[str, Any] | None = None,
    comments: dict[str, str] | None = None,
    overall: str | None = None,
) -> None:
    """Store a draft of the review; every score must be on the call's scale."""
    if not _is_reviewer(user, assignment) or assignment.state is not A.accepted:
        raise UserError(_("Bạn không thể sửa nhận xét này."), status=403)
    call = assignment.application.call
    clean: dict[str, int] = {}
    for criterion in call.rubric:
        key = criterion["key"]
        raw = (scores or {}).get(key)
        if raw in (None, ""):
            continue
        try:
            value = int(str(raw).strip())
        except ValueError:
            value = -1
        if not 1 <= value <= call.score_max:
            raise UserError(
                _(
                    "Điểm “%(name)s” phải là số nguyên từ 1 đến %(max)d.",
                    name=criterion["label_vi"],
                    max=call.score_max,
                ),
                field=f"score_{key}",
            )
        clean[key] = value
    assignment.scores = clean
    keys = {c["key"] for c in call.rubric}
    assignment.comments = {
        k: str(v).strip()[:COMMENT_LIMIT]
        for k, v in (comments or {}).items()
        if k in keys and str(v).strip()
    }
    if overall is not None:
        assignment.overall_comment = overall.strip()[:COMMENT_LIMIT]
    db.session.flush()


def weighted_score(assignment: ReviewAssignment, rubric: list[dict[str, Any]]) -> float | None:
    """The review's weighted mean on the call's scale, or None if a criterion is unscored."""
    scores = assignment.scores or {}
    total_weight = sum(float(c["weight"]) for c in rubric)
    if not rubric or total_weight <= 0 or any(c["key"] not in scores for c in rubric):
        return None
    return sum(float(c["weight"]) * scores[c["key"]] for c in rubric) / total_weight


def assignments_of(application: FundApplication) -> list[ReviewAssignment]:
    return list(
        db.session.scalars(
            sa.select(ReviewAssignment)
            .where(ReviewAssignment.application_id == application.id)
            .order_by(ReviewAssignment.id)
        )
    )


def my_assignments(user: Any) -> list[ReviewAssignment]:
    """An expert's invitations and reviews (declined ones drop off)."""
    return list(
        db.session.scalars(
            sa.select(ReviewAssignment)
            .where(ReviewAssignment.reviewer_id == user.id, ReviewAssignment.state != A.declined)
            .order_by(ReviewAssignment.created_at.desc())
        )
    )
