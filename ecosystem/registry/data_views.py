"""Spreadsheet import (dry run, then confirm) and export of filtered lists."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import FileField, SelectField
from wtforms.validators import DataRequired

from ecosystem.core.errors import UserError
from ecosystem.core.forms import BaseForm
from ecosystem.core.jobs import find_job
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic, attempt
from ecosystem.extensions import db
from ecosystem.registry import imports
from ecosystem.registry import permissions as perms
from ecosystem.registry.exports import COLUMNS as EXPORT_COLUMNS
from ecosystem.registry.exports import export_rows
from ecosystem.registry.import_models import ImportBatch
from ecosystem.registry.models import Organisation
from ecosystem.registry.queries import needs_organisation, organisation_choices, query_from_args
from ecosystem.registry.spreadsheets import csv_bytes, table_download
from ecosystem.registry.template_helpers import kind_label

bp = Blueprint("data", __name__)

IMPORT_KINDS = tuple(imports.COLUMNS)


class ImportForm(BaseForm):
    kind = SelectField(_l("Loại dữ liệu"), validators=[DataRequired()])
    organisation_id = SelectField(_l("Thuộc tổ chức"), coerce=int)
    file = FileField(_l("Tệp CSV hoặc Excel (.xlsx)"), validators=[DataRequired()])


def _org_choices() -> list[tuple[int, str]]:
    return [(0, "—"), *organisation_choices(g.user)]


@bp.route("/imports/new", methods=["GET", "POST"])
@login_required
def import_new():
    form = ImportForm(kind=request.args.get("kind", "result"))
    form.kind.choices = [(k, kind_label(k)) for k in IMPORT_KINDS if perms.can_import(g.user, k)]
    form.organisation_id.choices = _org_choices()
    if not form.kind.choices:
        return needs_organisation(_("Để nhập dữ liệu từ bảng tính, bạn cần thuộc một tổ chức."))
    if form.validate_on_submit():
        organisation = (
            db.session.get(Organisation, form.organisation_id.data)
            if form.organisation_id.data
            else None
        )
        if organisation is None and form.kind.data != "organisation":
            form.organisation_id.errors = [_("Hãy chọn tổ chức sở hữu các hồ sơ được nhập.")]
            return render_template(
                "registry/import_new.html", form=form, columns=imports.COLUMNS
            ), 422
        require(perms.can_import(g.user, form.kind.data, organisation))
        upload = request.files.get("file")
        try:
            with atomic():
                batch = imports.start_import(
                    form.kind.data, upload.filename or "", upload.read(), g.user, organisation
                )
        except UserError as error:
            form.file.errors = [error.message]
        else:
            return redirect(url_for("data.import_batch", batch_id=batch.id))
    return render_template(
        "registry/import_new.html", form=form, columns=imports.COLUMNS
    ), 422 if form.errors else 200


def _batch(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        abort(404)
    require(perms.can_view_import(g.user, batch))
    return batch


@bp.get("/imports/<int:batch_id>")
@login_required
def import_batch(batch_id: int):
    batch = _batch(batch_id)
    job = find_job(batch.job_id)
    return render_template(
        "registry/import_batch.html", batch=batch, job=job, kind_label=kind_label
    )


@bp.post("/imports/<int:batch_id>/<any(confirm, cancel):action>")
@login_required
def import_decide(batch_id: int, action: str):
    batch = _batch(batch_id)
    operation = imports.confirm_import if action == "confirm" else imports.cancel_import
    # committed by the unit of work at the end of the request
    if attempt(lambda: operation(batch, g.user)):
        flash(_("Đang ghi dữ liệu…") if action == "confirm" else _("Đã hủy lần nhập."), "info")
    return redirect(url_for("data.import_batch", batch_id=batch.id))


@bp.get("/imports/template/<any(organisation, person, result, need):kind>.csv")
def import_template(kind: str):
    body = csv_bytes(list(imports.COLUMNS[kind]), [])
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=mau-{kind}.csv"},
    )


@bp.get(
    "/export/<any(organisation, person, group, result, need, startup, investor):kind>.<any(csv, xlsx):fmt>"
)
def export(kind: str, fmt: str):
    header, rows = export_rows(kind, query_from_args(), g.get("user"))
    return table_download(header, rows, fmt, f"{kind}s")


EXPORT_KINDS = tuple(EXPORT_COLUMNS)
