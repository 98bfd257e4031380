"""Attachments of research results: size-limited, content-checked, stored on local disk.

The extension must agree with the file's first bytes, so a script renamed to .pdf is
refused. Files are stored under a random key, never under the name the user gave.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.tasks import call_after_commit
from ecosystem.extensions import db
from ecosystem.registry.models import Attachment

_ZIP = b"PK\x03\x04"
# extension -> (content type, check of the first bytes)
ALLOWED: dict[str, tuple[str, Any]] = {
    "pdf": ("application/pdf", lambda head: head.startswith(b"%PDF-")),
    "png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda head: head.startswith(_ZIP),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda head: head.startswith(_ZIP),
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        lambda head: head.startswith(_ZIP),
    ),
    "txt": ("text/plain; charset=utf-8", None),
    "csv": ("text/csv; charset=utf-8", None),
}


def storage_dir() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def check_upload(filename: str, data: bytes) -> tuple[str, str]:
    """(safe display name, content type) or UserError."""
    name = unicodedata.normalize("NFC", filename or "")
    # Control characters (NUL, line breaks) have no place in a name; PostgreSQL refuses NUL.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise UserError(
            _("Chỉ nhận tệp PDF, ảnh PNG/JPEG, Word, Excel, PowerPoint, TXT hoặc CSV."),
            field="file",
        )
    limit = current_app.config["UPLOAD_MAX_MB"] * 1024 * 1024
    if len(data) > limit:
        raise UserError(
            _("Tệp quá lớn: tối đa %(mb)d MB.", mb=current_app.config["UPLOAD_MAX_MB"]),
            field="file",
        )
    if not data:
        raise UserError(_("Tệp rỗng."), field="file")
    content_type, check = ALLOWED[extension]
    ok = _is_text(data) if check is None else check(data[:16])
    if not ok:
        raise UserError(
            _("Nội dung tệp không khớp với phần mở rộng .%(ext)s.", ext=extension), field="file"
        )
    display = name.replace("/", "_").replace("\\", "_")
    if len(display) > 200:  # shortened, keeping the extension
        display = display[: 199 - len(extension)] + "." + extension
    return display, content_type


def add_attachment(result: Any, stream: IO[bytes], filename: str, user: Any) -> Attachment:
    limit = current_app.config["UPLOAD_MAX_MB"] * 1024 * 1024
    data = stream.read(limit + 1)
    display, content_type = check_upload(filename, data)
    key = secrets.token_hex(16)
    (storage_dir() / key).write_bytes(data)
    attachment = Attachment(
        result_id=result.id,
        filename=display,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_by_id=getattr(user, "id", None),
    )
    db.session.add(attachment)
    db.session.flush()
    record_audit("result.attachment_added", result, actor=user, filename=display, size=len(data))
    return attachment


def remove_attachment(attachment: Attachment, user: Any) -> None:
    record_audit(
        "result.attachment_removed", attachment.result, actor=user, filename=attachment.filename
    )
    path = storage_dir() / attachment.storage_key
    db.session.delete(attachment)
    db.session.flush()
    call_after_commit(path.unlink, True)  # missing_ok; only once the row is really gone


def attachment_path(attachment: Attachment) -> Path:
    return storage_dir() / attachment.storage_key
