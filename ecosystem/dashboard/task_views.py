"""Pages of the task tracker: the list with its shares and filters, a task with its reports
and history, creating and editing tasks, filing a progress report, evidence files."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ecosystem.core.errors import UserError
from ecosystem.core.pagination import paginate
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic
from ecosystem.dashboard import permissions as perms
from ecosystem.dashboard import tracker
from ecosystem.dashboard.blueprint import bp, show_error
from ecosystem.dashboard.forms import ReportForm, TaskEditForm, TaskForm
from ecosystem.dashboard.models import SteeringTask, TaskEvidence, TaskSource, TaskStatus
from ecosystem.dashboard.shares import compute_shares, task_filter, task_rows, today, units
from ecosystem.extensions import db
from ecosystem.registry.spreadsheets import table_download


def task_or_404(task_id: int) -> SteeringTask:
    task = db.session.get(SteeringTask, task_id)
    if task is None:
        abort(404)
    return task


def _filters() -> dict[str, str]:
    return {
        "unit": request.args.get("unit", "").strip()[:200],
        "source": request.args.get("source", ""),
        "status": request.args.get("status", ""),
        "overdue": request.args.get("overdue", ""),
    }


def _filtered_statement(filters: dict[str, str]) -> sa.Select:
    where = task_filter(
        filters["unit"], filters["source"], filters["status"], bool(filters["overdue"])
    )
    return sa.select(SteeringTask).where(*where).order_by(SteeringTask.code)


@bp.get("/tasks")
@login_required
def tasks():
    require(perms.can_view_dashboard(g.user))
    filters = _filters()
    # The shares follow the unit and source filters (not the status one: they are its split).
    scope = task_filter(filters["unit"], filters["source"])
    return render_template(
        "dashboard/tasks.html",
        page=paginate(_filtered_statement(filters), per_page=50),
        shares=compute_shares(*scope),
        filters=filters,
        units=units(),
        sources=list(TaskSource),
        statuses=list(TaskStatus),
        today=today(),
        can_manage=perms.can_manage_tasks(g.user),
    )


@bp.get("/tasks.<any(csv, xlsx):fmt>")
@login_required
def tasks_export(fmt: str):
    require(perms.can_view_dashboard(g.user))
    header, rows = task_rows(list(db.session.scalars(_filtered_statement(_filters()))))
    return table_download(header, rows, fmt, "nhiem-vu")


@bp.route("/tasks/new", methods=["GET", "POST"])
@login_required
def task_new():
    require(perms.can_manage_tasks(g.user))
    form = TaskForm()
    if form.validate_on_submit():
        try:
            with atomic():
                task = tracker.create_task(form.data, g.user)
        except UserError as error:
            show_error(form, error)
        else:
            flash(_("Đã thêm nhiệm vụ %(code)s.", code=task.code), "success")
            return redirect(url_for(".task", task_id=task.id))
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template("dashboard/task_form.html", form=form, task=None), status


@bp.get("/tasks/<int:task_id>")
@login_required
def task(task_id: int):
    require(perms.can_view_dashboard(g.user))
    item = task_or_404(task_id)
    return _render_task(item, ReportForm(formdata=None, status=item.status.value))


def _render_task(item: SteeringTask, form: ReportForm, status: int = 200):
    return (
        render_template(
            "dashboard/task.html",
            task=item,
            form=form,
            today=today(),
            can_manage=perms.can_manage_tasks(g.user, item),
        ),
        status,
    )


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def task_edit(task_id: int):
    item = task_or_404(task_id)
    require(perms.can_manage_tasks(g.user, item))
    form = TaskEditForm(obj=item)
    if request.method == "GET":
        form.source.data, form.kind.data = item.source.value, item.kind.value
    if form.validate_on_submit():
        try:
            with atomic():
                tracker.update_task(item, form.data, g.user)
        except UserError as error:
            show_error(form, error)
        else:
            flash(_("Đã cập nhật nhiệm vụ."), "success")
            return redirect(url_for(".task", task_id=item.id))
    status = 422 if request.method == "POST" else 200
    return render_template("dashboard/task_form.html", form=form, task=item), status


@bp.post("/tasks/<int:task_id>/reports")
@login_required
def task_report(task_id: int):
    item = task_or_404(task_id)
    require(perms.can_manage_tasks(g.user, item))
    form = ReportForm()
    if form.validate_on_submit():
        uploads = [
            (f.filename or "", f.stream) for f in request.files.getlist("files") if f and f.filename
        ]
        try:
            with atomic():
                tracker.file_report(item, form.data, uploads, g.user)
        except UserError as error:
            show_error(form, error)
        else:
            flash(_("Đã ghi báo cáo tiến độ."), "success")
            return redirect(url_for(".task", task_id=item.id))
    db.session.refresh(item)
    return _render_task(item, form, 422)


@bp.get("/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    require(perms.can_view_dashboard(g.user))
    item = db.session.get(TaskEvidence, evidence_id)
    if item is None:
        abort(404)
    path = tracker.evidence_dir() / item.storage_key
    if not path.exists():
        abort(404)
    return send_file(
        path, mimetype=item.content_type, as_attachment=True, download_name=item.filename
    )
