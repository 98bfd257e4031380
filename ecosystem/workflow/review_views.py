"""Pages of expert review: assigning experts, the reviewer's declaration and scores, and
the committee's view of a call."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ecosystem.auth.models import User
from ecosystem.core.errors import UserError
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic, attempt
from ecosystem.extensions import db
from ecosystem.workflow import ledger, reviewers, reviews
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.blueprint import application_or_404, bp, call_or_404
from ecosystem.workflow.committee import committee_rows, summary
from ecosystem.workflow.models import AssignmentState, ReviewAssignment


@bp.route("/applications/<int:application_id>/reviewers", methods=["GET", "POST"])
@login_required
def assign(application_id: int):
    application = application_or_404(application_id)
    require(perms.can_decide(g.user, application))
    error: UserError | None = None
    if request.method == "POST":
        reviewer = db.session.get(User, request.form.get("reviewer_id", type=int) or 0)
        try:
            if reviewer is None:
                raise UserError(_("Hãy chọn một chuyên gia."), field="reviewer_id")
            with atomic():
                reviews.assign(
                    application,
                    reviewer,
                    g.user,
                    override_reason=request.form.get("override_reason", "")[:2000],
                )
        except UserError as refused:
            error = refused
        else:
            flash(_("Đã mời chuyên gia thẩm định."), "success")
            return redirect(url_for(".assign", application_id=application.id))
    experts = reviewers.reviewers()
    return (
        render_template(
            "workflow/assign.html",
            application=application,
            call=application.call,
            suggestions=reviewers.suggest(application, limit=8),
            assignments=reviews.assignments_of(application),
            experts=experts,
            experts_by_id={u.id: u for u in experts},
            error=error,
        ),
        422 if error else 200,
    )


def _assignment(assignment_id: int) -> ReviewAssignment:
    """The expert's own assignment; anyone else gets the answer for a missing one."""
    assignment = db.session.get(ReviewAssignment, assignment_id)
    if assignment is None or assignment.reviewer_id != g.user.id:
        abort(404)
    if assignment.state is AssignmentState.declined or perms.has_conflict(
        g.user, assignment.application
    ):
        abort(404)
    return assignment


@bp.get("/reviews")
@login_required
def my_reviews():
    return render_template("workflow/my_reviews.html", assignments=reviews.my_assignments(g.user))


@bp.get("/reviews/<int:assignment_id>")
@login_required
def review(assignment_id: int):
    assignment = _assignment(assignment_id)
    return render_template(
        "workflow/review.html",
        assignment=assignment,
        application=assignment.application,
        call=assignment.application.call,
        locale=str(get_locale()),
        values=None,
        errors={},
    )


def _scores_from(form: Any, rubric: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "scores": {c["key"]: form.get(f"score_{c['key']}", "") for c in rubric},
        "comments": {c["key"]: form.get(f"comment_{c['key']}", "") for c in rubric},
        "overall": form.get("overall", ""),
    }


@bp.post("/reviews/<int:assignment_id>")
@login_required
def review_save(assignment_id: int):
    assignment = _assignment(assignment_id)
    action = request.form.get("action", "save")
    if action not in {"save", "submit"}:
        abort(400)
    application = assignment.application
    data = _scores_from(request.form, application.call.rubric)
    try:
        with atomic():
            if action == "save":
                reviews.save_scores(assignment, g.user, **data)
            else:
                reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "submit", g.user, **data)
    except UserError as error:
        return (
            render_template(
                "workflow/review.html",
                assignment=assignment,
                application=application,
                call=application.call,
                locale=str(get_locale()),
                values=request.form,
                errors={error.field or "_": error.message},
            ),
            422,
        )
    flash(
        _("Đã nộp nhận xét.") if action == "submit" else _("Đã lưu bản nháp nhận xét."), "success"
    )
    return redirect(url_for(".review", assignment_id=assignment.id))


@bp.post("/reviews/<int:assignment_id>/declare")
@login_required
def declare(assignment_id: int):
    assignment = _assignment(assignment_id)
    action = request.form.get("action", "")
    if action not in {"declare_none", "declare_conflict"}:
        abort(400)
    detail = request.form.get("detail", "")[:2000]
    attempt(lambda: reviews.ASSIGNMENT_WORKFLOW.apply(assignment, action, g.user, detail=detail))
    if assignment.state is AssignmentState.declined:
        flash(_("Đã ghi nhận xung đột lợi ích; hồ sơ này không còn hiển thị với bạn."), "info")
        return redirect(url_for(".my_reviews"))
    return redirect(url_for(".review", assignment_id=assignment.id))


@bp.get("/calls/<int:call_id>/committee")
@login_required
def committee(call_id: int):
    call = call_or_404(call_id)
    require(perms.can_manage_fund(g.user, call))
    rows = committee_rows(call)
    cycle = ledger.current_cycle()
    return render_template(
        "workflow/committee.html",
        call=call,
        rows=rows,
        totals=summary(rows),
        position=ledger.position(cycle) if cycle else None,
        locale=str(get_locale()),
    )
