"""Pages of awards: signing the contract, milestone reports and reviews, disbursements, and
the decision letter."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from ecosystem.core.errors import UserError
from ecosystem.core.formatting import MAX_VND, parse_date, parse_vnd
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic, attempt
from ecosystem.extensions import db
from ecosystem.workflow import awards, reviews
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.awards import MilestonePlan
from ecosystem.workflow.blueprint import application_or_404, bp, show_error
from ecosystem.workflow.forms import MILESTONE_ROWS, ContractForm, DisbursementForm, WriteOffForm
from ecosystem.workflow.models import (
    ApplicationState,
    AssignmentState,
    Decision,
    FundApplication,
    Milestone,
)


def _render(application: FundApplication, form: ContractForm | None = None, status: int = 200):
    award = awards.award_of(application)
    can_manage = perms.can_decide(g.user, application)
    signable = award is None and can_manage and application.state is ApplicationState.approved
    return (
        render_template(
            "workflow/award.html",
            application=application,
            call=application.call,
            award=award,
            progress=awards.award_progress(award) if award else None,
            paid={m.id: awards.paid_on(m) for m in award.milestones} if award else {},
            form=form or (ContractForm() if signable else None),
            rows=MILESTONE_ROWS,
            values=request.form if request.method == "POST" else None,
            disbursement_form=DisbursementForm(),
            write_off_form=WriteOffForm(),
            can_manage=can_manage,
            milestone_flow=awards.MILESTONE_WORKFLOW,
        ),
        status,
    )


@bp.get("/applications/<int:application_id>/award")
@login_required
def award(application_id: int):
    return _render(application_or_404(application_id))


def _milestones_from(form: Any) -> list[MilestonePlan]:
    plans = []
    for row in range(MILESTONE_ROWS):
        title = (form.get(f"ms_title_{row}") or "").strip()[:300]
        amount_text = (form.get(f"ms_amount_{row}") or "").strip()
        due_text = (form.get(f"ms_due_{row}") or "").strip()
        if not (title or amount_text or due_text):
            continue
        try:
            amount = parse_vnd(amount_text)
            due = parse_date(due_text)
            if amount > MAX_VND:
                raise ValueError(amount_text)
        except ValueError:
            raise UserError(
                _("Mốc %(n)d: hãy nhập số tiền (ví dụ 150.000.000) và hạn dd/mm/yyyy.", n=row + 1),
                field="milestones",
            ) from None
        plans.append(MilestonePlan(title, amount, due, (form.get(f"ms_deliv_{row}") or "")[:5000]))
    return plans


@bp.post("/applications/<int:application_id>/award")
@login_required
def sign(application_id: int):
    application = application_or_404(application_id)
    require(perms.can_decide(g.user, application))
    form = ContractForm()
    if form.validate_on_submit():
        try:
            with atomic():
                awards.sign_contract(
                    application,
                    g.user,
                    number=form.contract_number.data,
                    signed_on=form.signed_on.data,
                    amount=form.amount.data,
                    cofunding=form.cofunding.data or 0,
                    milestones=_milestones_from(request.form),
                )
        except UserError as error:
            show_error(form, error)
        else:
            flash(_("Đã ký hợp đồng."), "success")
            return redirect(url_for(".award", application_id=application.id))
    return _render(application, form, 422)


def _milestone(milestone_id: int) -> Milestone:
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None:
        abort(404)
    application_or_404(milestone.award.application_id)  # the same rule as the application
    return milestone


@bp.post("/milestones/<int:milestone_id>/state")
@login_required
def milestone_state(milestone_id: int):
    milestone = _milestone(milestone_id)
    action = request.form.get("action", "")
    data = {
        "report": request.form.get("report", "")[:20000],
        "note": request.form.get("note", "")[:5000],
    }
    attempt(
        lambda: awards.MILESTONE_WORKFLOW.apply(milestone, action, g.user, **data),
        _("Đã cập nhật mốc."),
    )
    return redirect(url_for(".award", application_id=milestone.award.application_id))


@bp.post("/milestones/<int:milestone_id>/disbursements")
@login_required
def disburse(milestone_id: int):
    milestone = _milestone(milestone_id)
    require(perms.is_fund_manager(g.user))
    form = DisbursementForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "warning")
    else:
        attempt(
            lambda: awards.disburse(
                milestone,
                g.user,
                amount=form.amount.data,
                paid=form.paid_on.data,
                reference=form.reference.data,
            ),
            _("Đã ghi nhận giải ngân."),
        )
    return redirect(url_for(".award", application_id=milestone.award.application_id))


@bp.get("/applications/<int:application_id>/letter")
@login_required
def letter(application_id: int):
    """The decision letter, printable, in the reader's language or the one asked for;
    reviewers' comments without their names."""
    application = application_or_404(application_id)
    decision = db.session.scalar(db.select(Decision).filter_by(application_id=application.id))
    if decision is None:
        flash(_("Hồ sơ chưa có quyết định."), "warning")
        return redirect(url_for(".application", application_id=application.id))
    comments = [
        a.overall_comment
        for a in reviews.assignments_of(application)
        if a.state is AssignmentState.submitted and a.overall_comment
    ]
    language = request.args.get("lang") or str(get_locale())
    language = language if language in ("vi", "en") else "vi"
    with force_locale(language):
        return render_template(
            "workflow/letter.html",
            application=application,
            call=application.call,
            decision=decision,
            comments=comments,
            locale=language,
        )


@bp.post("/applications/<int:application_id>/award/write-off")
@login_required
def write_off(application_id: int):
    application = application_or_404(application_id)
    require(perms.is_fund_manager(g.user))
    award = awards.award_of(application)
    if award is None:
        abort(404)
    form = WriteOffForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "warning")
    else:
        attempt(
            lambda: awards.write_off(
                award, g.user, amount=form.amount.data, reason=form.reason.data, on=form.on.data
            ),
            _("Đã ghi nhận tổn thất."),
        )
    return redirect(url_for(".award", application_id=application.id))
