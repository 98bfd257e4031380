"""Documents attached to an application, checked and stored like research attachments."""

from __future__ import annotations

import secrets
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.extensions import db
from ecosystem.registry.attachments import check_upload, storage_dir
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.models import ApplicationDocument, FundApplication


def document_keys(application: FundApplication) -> set[str]:
    call = application.call
    keys = {d["key"] for d in call.required_documents or ()}
    keys |= {q["key"] for q in call.questions or () if q.get("type") == "file"}
    return keys


def add_document(
    application: FundApplication, doc_key: str, stream: IO[bytes], filename: str, user: Any
) -> ApplicationDocument:
    if not perms.can_edit_application(user, application):
        raise UserError(_("Hồ sơ này không thể sửa ở trạng thái hiện tại."), status=403)
    if doc_key not in document_keys(application):
        raise UserError(_("Đợt gọi không yêu cầu tài liệu này."), field="documents")
    limit = current_app.config["UPLOAD_MAX_MB"] * 1024 * 1024
    data = stream.read(limit + 1)
    display, content_type = check_upload(filename, data)
    # A new version replaces the old one of the same kind.
    for old in [d for d in application.documents if d.doc_key == doc_key]:
        application.documents.remove(old)
    key = secrets.token_hex(16)
    (storage_dir() / key).write_bytes(data)
    document = ApplicationDocument(
        doc_key=doc_key,
        filename=display,
        content_type=content_type,
        size=len(data),
        storage_key=key,
        uploaded_by_id=user.id,
    )
    application.documents.append(document)
    db.session.flush()
    record_audit(
        "fund_application.document_added",
        application,
        actor=user,
        doc_key=doc_key,
        filename=display,
    )
    return document
