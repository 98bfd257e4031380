"""Import of tasks from .xlsx or CSV, with a dry run.

Read with the registry's table reader (``registry.spreadsheets.read_table``) and checked row
by row with the task form, like the registry's imports: an unknown status or source, a
duplicate code (in the file or already on the platform), a deadline that is not a date, a
done task without evidence — each a message on its row and column. Nothing is written by the
check; confirming writes every row in one transaction, and only when no row was rejected.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.forms import INVALID_TEXT
from ecosystem.core.messages import portable
from ecosystem.core.models import utcnow
from ecosystem.core.text import fold, has_invalid_characters
from ecosystem.core.transitions import lock_current
from ecosystem.dashboard import tracker
from ecosystem.dashboard.forms import TaskForm
from ecosystem.dashboard.labels import dash_label
from ecosystem.dashboard.models import SteeringTask, TaskImport, TaskKind, TaskSource, TaskStatus
from ecosystem.extensions import db
from ecosystem.registry.spreadsheets import read_table

COLUMNS = (
    "code",
    "title",
    "source",
    "source_ref",
    "unit",
    "deadline",
    "kind",
    "status",
    "evidence",
    "note",
)
REQUIRED = ("code", "title", "source", "unit", "kind", "status")
ENUMS = {"source": TaskSource, "kind": TaskKind, "status": TaskStatus}
EXTRA_ALIASES = {
    "status": {
        "hoan thanh": "done",
        "da thuc hien": "done",
        "dang thuc hien": "in_progress",
        "chua thuc hien": "not_started",
        "thuong xuyen": "recurring",
    },
    "source": {
        "nq 57": "resolution_57",
        "57-nq/tw": "resolution_57",
        "kh 02": "plan_02",
        "02-kh/bcdtw": "plan_02",
        "thong bao": "conclusion",
        "ket luan": "conclusion",
    },
    "kind": {"mot lan": "one_off", "co thoi han": "one_off"},
}


def header_aliases() -> dict[str, str]:
    """Folded header text → column: the key, or its Vietnamese or English label."""
    aliases = {fold(c): c for c in COLUMNS}
    for locale in ("vi", "en"):
        with force_locale(locale):
            form = TaskForm(meta={"csrf": False}, formdata=None)
            for column in COLUMNS:
                if column in form:
                    aliases[fold(str(form[column].label.text))] = column
            aliases[fold(_("Minh chứng"))] = "evidence"
    return aliases


def _enum_values(column: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for member in ENUMS[column]:
        values[fold(member.value)] = member.value
        for locale in ("vi", "en"):
            with force_locale(locale):
                values[fold(dash_label(member))] = member.value
    values.update(EXTRA_ALIASES.get(column, {}))
    return values


class RowChecker:
    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.enums = {column: _enum_values(column) for column in ENUMS}
        self.existing = set(db.session.scalars(sa.select(SteeringTask.code)))

    def check(self, record: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The cleaned row, and the reasons it is rejected as data (``core.messages``), so
        the batch page words them in the reader's language."""
        unreadable = {c: INVALID_TEXT for c, v in record.items() if has_invalid_characters(v)}
        if unreadable:
            return {}, _portable(unreadable)
        errors: dict[str, Any] = {}
        values = self._canonical_enums(record, errors)
        form = TaskForm(
            formdata=MultiDict({k: v for k, v in values.items() if v}), meta={"csrf": False}
        )
        if not form.validate():
            for name, messages in form.errors.items():
                errors.setdefault(name, messages[0])
        self._check_code(values, errors)
        _check_status(values, errors)
        if errors:
            return {}, _portable(errors)
        data = {k: v for k, v in form.data.items() if k in COLUMNS}
        data["deadline"] = data["deadline"].isoformat() if data.get("deadline") else None
        data["evidence"] = (values.get("evidence") or "").strip()[:300]
        return data, {}

    def _canonical_enums(self, record: dict[str, str], errors: dict[str, Any]) -> dict[str, str]:
        """The record with every choice column as its enum value (a label or alias is accepted)."""
        values = dict(record)
        for column, mapping in self.enums.items():
            raw = values.get(column, "")
            if not raw:
                continue
            if fold(raw) in mapping:
                values[column] = mapping[fold(raw)]
            else:
                errors[column] = _l(
                    "Giá trị “%(value)s” không hợp lệ; dùng một trong: %(allowed)s.",
                    value=raw,
                    allowed="; ".join(f"{m.value} ({dash_label(m)})" for m in ENUMS[column]),
                )
        return values

    def _check_code(self, values: dict[str, str], errors: dict[str, Any]) -> None:
        code = (values.get("code") or "").strip()
        if not code or "code" in errors:
            return
        if code in self.seen:
            errors["code"] = _l("Mã %(code)s trùng với một dòng phía trên trong tệp.", code=code)
        elif code in self.existing:
            errors["code"] = _l("Mã nhiệm vụ %(code)s đã có.", code=code)
        self.seen.add(code)


def _check_status(values: dict[str, str], errors: dict[str, Any]) -> None:
    status = values.get("status")
    if status == TaskStatus.done.value and not (values.get("evidence") or "").strip():
        errors["evidence"] = _l(
            "Nhiệm vụ chỉ được ghi là đã hoàn thành khi báo cáo có minh chứng (tệp hoặc văn bản)."
        )
    if (
        status == TaskStatus.recurring.value
        and values.get("kind") != TaskKind.recurring.value
        and "status" not in errors
    ):
        errors["status"] = _l("Chỉ nhiệm vụ thường xuyên mới có tình trạng này.")


def check_file(filename: str, content: bytes, user: Any) -> TaskImport:
    """The dry run: every row checked, the outcome stored; no task is written."""
    header, rows = read_table(filename, content)
    aliases = header_aliases()
    columns = [aliases.get(fold(h)) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise UserError(_("Thiếu cột bắt buộc: %(cols)s.", cols=", ".join(missing)), field="file")
    checker = RowChecker()
    valid, rejected = [], []
    for index, cells in enumerate(rows, start=2):  # row 1 is the header
        record = {c: cells[i] if i < len(cells) else "" for i, c in enumerate(columns) if c}
        data, errors = checker.check(record)
        if errors:
            rejected.append({"row": index, "code": record.get("code", ""), "errors": errors})
        else:
            valid.append({"row": index, "data": data})
    batch = TaskImport(
        filename=filename[:255],
        created_by_id=user.id,
        total_rows=len(rows),
        valid_rows=valid,
        rejected_rows=rejected,
    )
    db.session.add(batch)
    db.session.flush()
    record_audit("task_import.checked", batch, actor=user, valid=len(valid), rejected=len(rejected))
    return batch


def apply_import(batch: TaskImport, user: Any) -> int:
    """Write every row in this transaction, or nothing."""
    lock_current(batch)
    if batch.state != "ready":
        raise UserError(_("Lần nhập này không còn chờ xác nhận."))
    if batch.rejected_rows:
        raise UserError(
            _(
                "Tệp còn %(n)d dòng lỗi: hãy sửa tệp và tải lên lại. Chưa có nhiệm vụ nào được ghi.",
                n=len(batch.rejected_rows),
            )
        )
    if not batch.valid_rows:
        raise UserError(_("Không có dòng hợp lệ nào để nhập."))
    today = dt.date.today()
    for entry in batch.valid_rows:
        data = dict(entry["data"])
        status = data.pop("status")
        evidence = data.pop("evidence", "")
        data["deadline"] = dt.date.fromisoformat(data["deadline"]) if data.get("deadline") else None
        try:
            task = tracker.create_task({**data, "reason": batch.filename}, user)
            if status != TaskStatus.not_started.value:
                tracker.file_report(
                    task,
                    {
                        "reported_on": today,
                        "status": status,
                        "evidence_ref": evidence,
                        "text": _("Nhập từ tệp %(name)s", name=batch.filename),
                    },
                    [],
                    user,
                )
        except UserError as error:
            raise UserError(
                _(
                    "Dòng %(row)d: %(message)s Không dòng nào được ghi.",
                    row=entry["row"],
                    message=error.message,
                )
            ) from None
    batch.state, batch.applied_at = "applied", utcnow()
    record_audit("task_import.applied", batch, actor=user, created=len(batch.valid_rows))
    return len(batch.valid_rows)


def cancel_import(batch: TaskImport, user: Any) -> None:
    lock_current(batch)
    if batch.state != "ready":
        raise UserError(_("Lần nhập này không còn chờ xác nhận."))
    batch.state = "cancelled"
    record_audit("task_import.cancelled", batch, actor=user)


def _portable(errors: dict[str, Any]) -> dict[str, Any]:
    return {column: portable(message) for column, message in errors.items()}
