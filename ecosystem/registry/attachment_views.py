"""Uploading, downloading and removing attachments of research results."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, send_file, url_for
from flask_babel import gettext as _

from ecosystem.core.errors import UserError
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic
from ecosystem.extensions import db
from ecosystem.registry import permissions as perms
from ecosystem.registry.attachments import add_attachment, attachment_path, remove_attachment
from ecosystem.registry.models import Attachment, ResearchResult

bp = Blueprint("attachments", __name__)


@bp.post("/results/<int:item_id>/attachments")
@login_required
def upload(item_id: int):
    result = db.session.get(ResearchResult, item_id)
    if result is None:
        abort(404)
    require(perms.can_edit_listing(g.user, result))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Hãy chọn một tệp."), "warning")
    else:
        try:
            with atomic():
                add_attachment(result, upload.stream, upload.filename, g.user)
        except UserError as error:
            flash(error.message, "danger")
        else:
            flash(_("Đã tải tệp lên."), "success")
    return redirect(url_for("results.detail", item_id=result.id))


def _attachment(attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    return attachment


@bp.get("/attachments/<int:attachment_id>")
def download(attachment_id: int):
    attachment = _attachment(attachment_id)
    require(perms.can_view_details(g.user, attachment.result))
    path = attachment_path(attachment)
    if not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )


@bp.post("/attachments/<int:attachment_id>/delete")
@login_required
def delete(attachment_id: int):
    attachment = _attachment(attachment_id)
    require(perms.can_edit_listing(g.user, attachment.result))
    result_id = attachment.result_id
    remove_attachment(attachment, g.user)
    flash(_("Đã xóa tệp."), "success")
    return redirect(url_for("results.detail", item_id=result_id))
