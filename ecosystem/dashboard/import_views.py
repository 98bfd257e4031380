"""The task import's pages: upload (the dry run), the report of every row, confirm, cancel."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ecosystem.core.errors import UserError
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic, attempt
from ecosystem.dashboard import permissions as perms
from ecosystem.dashboard import task_import
from ecosystem.dashboard.blueprint import bp, show_error
from ecosystem.dashboard.forms import ImportForm
from ecosystem.dashboard.models import TaskImport
from ecosystem.extensions import db
from ecosystem.registry.spreadsheets import MAX_ROWS, csv_bytes, download

MAX_BYTES = 10 * 1024 * 1024


@bp.route("/tasks/import", methods=["GET", "POST"])
@login_required
def task_import_new():
    require(perms.can_manage_tasks(g.user))
    form = ImportForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = [_("Hãy chọn một tệp .xlsx hoặc .csv.")]
        else:
            try:
                with atomic():
                    batch = task_import.check_file(
                        upload.filename, upload.read(MAX_BYTES + 1), g.user
                    )
            except UserError as error:
                show_error(form, error)
            else:
                return redirect(url_for(".task_import_batch", batch_id=batch.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "dashboard/import_new.html",
        form=form,
        columns=task_import.COLUMNS,
        required=task_import.REQUIRED,
        max_rows=MAX_ROWS,
    ), status


def _batch(batch_id: int) -> TaskImport:
    batch = db.session.get(TaskImport, batch_id)
    if batch is None or batch.created_by_id != g.user.id and not g.user.is_admin:
        abort(404)
    return batch


@bp.get("/tasks/import/<int:batch_id>")
@login_required
def task_import_batch(batch_id: int):
    require(perms.can_manage_tasks(g.user))
    return render_template("dashboard/import_batch.html", batch=_batch(batch_id))


@bp.post("/tasks/import/<int:batch_id>/<any(confirm, cancel):action>")
@login_required
def task_import_decide(batch_id: int, action: str):
    require(perms.can_manage_tasks(g.user))
    batch = _batch(batch_id)
    if action == "confirm":
        if attempt(
            lambda: task_import.apply_import(batch, g.user),
            _("Đã nhập %(n)d nhiệm vụ.", n=len(batch.valid_rows)),
        ):
            return redirect(url_for(".tasks"))
    else:
        attempt(lambda: task_import.cancel_import(batch, g.user), _("Đã hủy lần nhập."))
    return redirect(url_for(".task_import_batch", batch_id=batch.id))


@bp.get("/tasks/import/template.csv")
@login_required
def task_import_template():
    require(perms.can_manage_tasks(g.user))
    example = [
        "NQ57-001",
        "Xây dựng cơ sở dữ liệu mở",
        "resolution_57",
        "57-NQ/TW",
        "Sở Khoa học và Công nghệ",
        "30/06/2026",
        "one_off",
        "done",
        "Báo cáo số 12/BC-SKHCN",
        "",
    ]
    return download(csv_bytes(list(task_import.COLUMNS), [example]), "csv", "mau-nhiem-vu.csv")
