"""Pages of the fund: calls (public), applications (applicants, managers, reviewers)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ecosystem.core.errors import UserError
from ecosystem.core.formatting import MAX_VND, parse_vnd
from ecosystem.core.forms import INVALID_TEXT
from ecosystem.core.models import utcnow
from ecosystem.core.permissions import login_required, require
from ecosystem.core.text import has_invalid_characters
from ecosystem.core.uow import atomic, attempt
from ecosystem.extensions import db
from ecosystem.matching.models import Match
from ecosystem.registry.models import Organisation
from ecosystem.workflow import applications as ops
from ecosystem.workflow import calls as call_ops
from ecosystem.workflow import introductions
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.blueprint import application_or_404, bp, call_or_404, show_error
from ecosystem.workflow.documents import add_document
from ecosystem.workflow.forms import (
    BUDGET_ROWS,
    ApplicationForm,
    CallForm,
    DecisionForm,
    StartApplicationForm,
)
from ecosystem.workflow.models import ApplicationState, CallState, FundCall
from ecosystem.workflow.queries import (
    applications_of_call,
    calls_for,
    my_applications,
    organisation_choices,
)

# Calls --------------------------------------------------------------------------------


@bp.get("/")
def index():
    return render_template(
        "workflow/calls.html",
        calls=calls_for(g.user),
        can_manage=perms.can_manage_fund(g.user),
        can_view_ledger=perms.can_view_ledger(g.user),
    )


@bp.get("/calls/<int:call_id>")
def call(call_id: int):
    item = call_or_404(call_id)
    return render_template(
        "workflow/call.html",
        call=item,
        locale=str(get_locale()),
        can_apply=perms.can_apply(g.user, item),
        can_manage=perms.can_manage_fund(g.user),
    )


@bp.get("/calls/<int:call_id>/applications")
@login_required
def call_applications(call_id: int):
    item = call_or_404(call_id)
    require(perms.can_manage_fund(g.user, item))
    return render_template(
        "workflow/applications.html",
        applications=applications_of_call(item, g.user),
        heading=_("Hồ sơ của đợt gọi “%(title)s”", title=item.title(str(get_locale()))),
        export_url=url_for(".call_applications", call_id=item.id),
    )


@bp.route("/calls/new", methods=["GET", "POST"])
@login_required
def new_call():
    require(perms.can_manage_fund(g.user))
    form = CallForm()
    if form.validate_on_submit():
        try:
            with atomic():
                item = call_ops.create_call(form.rules(), g.user)
        except UserError as error:
            show_error(form, error)
        else:
            flash(_("Đã tạo đợt gọi (bản nháp)."), "success")
            return redirect(url_for(".call", call_id=item.id))
    return render_template("workflow/call_form.html", form=form), 422 if form.errors else 200


@bp.post("/calls/<int:call_id>/state")
@login_required
def call_state(call_id: int):
    item = call_or_404(call_id)
    require(perms.can_manage_fund(g.user, item))
    name = request.form.get("action", "")
    attempt(lambda: call_ops.CALL_WORKFLOW.apply(item, name, g.user), _("Đã cập nhật đợt gọi."))
    return redirect(url_for(".call", call_id=item.id))


@bp.get("/calls.atom")
def feed():
    open_calls = db.session.scalars(
        sa.select(FundCall).where(FundCall.state == CallState.open).order_by(FundCall.closes_at)
    ).all()
    # A feed's date is its newest entry's; an empty feed says "now".
    updated = max((c.updated_at for c in open_calls), default=utcnow())
    body = render_template(
        "workflow/calls.atom", calls=open_calls, updated=updated, locale=str(get_locale())
    )
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}


# Applications -------------------------------------------------------------------------


@bp.route("/calls/<int:call_id>/apply", methods=["GET", "POST"])
@login_required
def apply(call_id: int):
    item = call_or_404(call_id)
    if not perms.can_apply(g.user, item):
        flash(
            _("Đợt gọi không nhận hồ sơ vào lúc này, hoặc bạn chưa thuộc tổ chức nào."), "warning"
        )
        return redirect(url_for(".call", call_id=item.id))
    form = StartApplicationForm()
    form.organisation_id.choices = organisation_choices(g.user)
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        try:
            with atomic():
                application = ops.start_application(
                    item, organisation, g.user, {"title": form.title.data}
                )
        except UserError as error:
            show_error(form, error)
        else:
            return redirect(url_for(".edit", application_id=application.id))
    return render_template("workflow/apply.html", call=item, form=form)


@bp.get("/applications")
@login_required
def applications():
    return render_template(
        "workflow/applications.html",
        applications=my_applications(g.user),
        export_url=url_for(".applications"),
    )


@bp.get("/applications/<int:application_id>")
@login_required
def application(application_id: int):
    item = application_or_404(application_id)
    return render_template(
        "workflow/application.html",
        application=item,
        call=item.call,
        locale=str(get_locale()),
        problems=ops.submission_problems(item) if perms.can_edit_application(g.user, item) else [],
        timeline=ops.timeline(item),
        form_transitions=ops.FORM_TRANSITIONS,
        own_pages=ops.OWN_PAGE_TRANSITIONS,
        decision_form=DecisionForm(),
        can_edit=perms.can_edit_application(g.user, item),
        can_manage=perms.can_decide(g.user, item),
        has_decision=item.state in ops.DECIDED,
        has_award_page=item.state in ops.AWARDED
        or (item.state is ApplicationState.approved and perms.can_decide(g.user, item)),
    )


def _budget_from(form_data: Any) -> list[tuple[str, int, int]]:
    lines = []
    for row in range(BUDGET_ROWS):
        label = (form_data.get(f"budget_label_{row}") or "").strip()[:300]
        fund_text = form_data.get(f"budget_fund_{row}") or ""
        own_text = form_data.get(f"budget_own_{row}") or ""
        if not (label or fund_text.strip() or own_text.strip()):
            continue
        if has_invalid_characters(label):  # read without a form: checked here
            raise UserError(str(INVALID_TEXT), field="budget")
        if not label:
            raise UserError(_("Mỗi dòng dự toán cần có nội dung chi."), field="budget")
        try:
            fund = parse_vnd(fund_text) if fund_text.strip() else 0
            own = parse_vnd(own_text) if own_text.strip() else 0
            if max(fund, own) > MAX_VND:
                raise ValueError(label)
        except ValueError:
            raise UserError(
                _("Số tiền không hợp lệ ở dòng “%(line)s”. Ví dụ: 150.000.000", line=label),
                field="budget",
            ) from None
        lines.append((label, fund, own))
    return lines


def _answers_from(call: FundCall, form_data: Any) -> dict[str, Any]:
    answers = {}
    for question in call.questions or ():
        if question.get("type") == "file":
            continue
        value = (form_data.get(f"q_{question['key']}") or "").strip()[:10000]
        if has_invalid_characters(value):  # read without a form: checked here
            raise UserError(str(INVALID_TEXT), field=f"q_{question['key']}")
        if question.get("type") == "number" and value:
            try:
                float(value.replace(",", "."))
            except ValueError:
                raise UserError(
                    _("Câu “%(q)s” cần một con số.", q=question["label_vi"]),
                    field=f"q_{question['key']}",
                ) from None
        answers[question["key"]] = value
    return answers


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
def edit(application_id: int):
    item = application_or_404(application_id)
    require(perms.can_edit_application(g.user, item))
    form = ApplicationForm(obj=item)
    form.partner_ids.choices = [
        (o.id, o.name_vi)
        for o in db.session.scalars(sa.select(Organisation).order_by(Organisation.name_vi))
    ]
    if request.method == "GET":
        form.partner_ids.data = sorted(item.partner_org_ids)
    if form.validate_on_submit():
        try:
            with atomic():
                partners = [
                    (org.id, ops.role_for(org))
                    for org in db.session.scalars(
                        sa.select(Organisation).where(
                            Organisation.id.in_(form.partner_ids.data or [])
                        )
                    )
                ]
                data = {
                    "title": form.title.data,
                    "summary": form.summary.data or "",
                    "field_code": form.field_code.data or None,
                    "trl": form.trl.data,
                    "requested_amount": form.requested_amount.data or 0,
                    "cofunding_amount": form.cofunding_amount.data or 0,
                    "budget": _budget_from(request.form),
                    "answers": _answers_from(item.call, request.form),
                    "partners": partners,
                }
                ops.update_application(item, data, g.user)
                for key, upload in request.files.items():
                    if upload and upload.filename:
                        add_document(
                            item, key.removeprefix("file_"), upload.stream, upload.filename, g.user
                        )
        except UserError as error:
            show_error(form, error)
        else:
            flash(_("Đã lưu hồ sơ."), "success")
            return redirect(url_for(".application", application_id=item.id))
    status = 422 if form.errors or request.method == "POST" else 200
    return (
        render_template(
            "workflow/application_form.html",
            form=form,
            application=item,
            call=item.call,
            rows=BUDGET_ROWS,
            values=request.form if request.method == "POST" else None,
        ),
        status,
    )


@bp.post("/applications/<int:application_id>/state")
@login_required
def application_state(application_id: int):
    item = application_or_404(application_id)
    name = request.form.get("action", "")
    form = DecisionForm()
    data: dict[str, Any] = {}
    if name in ops.FORM_TRANSITIONS:
        if not form.validate():
            flash(next(iter(form.errors.values()))[0], "warning")
            return redirect(url_for(".application", application_id=item.id))
        data["reason"] = form.reason.data
        if name == "approve" and form.amount.data:
            data["amount"] = form.amount.data
        if name == "request_info":
            data["reply_due_at"] = ops.reply_deadline(form.reply_days.data or 14)
    attempt(lambda: ops.apply(item, name, g.user, **data), _("Đã cập nhật hồ sơ."))
    return redirect(url_for(".application", application_id=item.id))


# The chain match → application ----------------------------------------------------------


@bp.route("/from-match/<int:match_id>", methods=["GET", "POST"])
@login_required
def from_match(match_id: int):
    match = db.session.get(Match, match_id)
    # Only the two sides of an introduction reach it; anyone else, as for a missing id.
    if match is None or introductions.own_side(g.user, match) is None:
        abort(404)
    calls = introductions.accepting_calls()
    if request.method == "POST":
        call = db.session.get(FundCall, request.form.get("call_id", type=int) or 0)
        if call is None or call not in calls:
            flash(_("Hãy chọn một đợt gọi đang nhận hồ sơ."), "warning")
        else:
            try:
                with atomic():
                    application = introductions.start_from_match(match, call, g.user)
            except UserError as error:
                flash(error.message, "warning")
            else:
                flash(_("Đã tạo bản nháp hồ sơ từ kết nối; hãy hoàn thiện và nộp."), "success")
                return redirect(url_for(".edit", application_id=application.id))
    return render_template("workflow/from_match.html", match=match, calls=calls)
