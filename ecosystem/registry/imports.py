"""Import of organisations, people, results and needs from CSV or Excel.

1. Upload: the file is stored and a job validates every row with the same forms the pages
   use (checksums, TRL, budgets, deadlines, taxonomy) plus duplicate checks. Nothing else
   is written: the dry run lists each rejected row and why.
2. Confirm: a second job saves the valid rows in one transaction — all of them or, if
   anything fails, none.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from celery import shared_task
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ecosystem.auth.models import User
from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.forms import INVALID_TEXT
from ecosystem.core.jobs import Job, JobFailed, JobRun, find_job, run_job, start_job
from ecosystem.core.messages import portable
from ecosystem.core.models import utcnow
from ecosystem.core.text import fold, has_invalid_characters
from ecosystem.core.transitions import lock_current
from ecosystem.extensions import db
from ecosystem.registry import forms
from ecosystem.registry import listing_operations as listing_ops
from ecosystem.registry import operations as ops
from ecosystem.registry.enums import LABELS, Confidentiality, IPStatus, OrgKind
from ecosystem.registry.identifiers import organisation_name_key
from ecosystem.registry.import_models import ImportBatch, ImportState
from ecosystem.registry.models import Organisation, Person, ResearchField
from ecosystem.registry.spreadsheets import read_table

# The columns a spreadsheet may carry: what the operations store, minus what the import
# decides itself (the owning organisation, the group, the language).
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("kind", *ops.ORG_FIELDS),
    "person": (
        "full_name",
        *(f for f in ops.PERSON_FIELDS if f not in ("full_name", "bio")),
        "position",
    ),
    "result": tuple(f for f in listing_ops.FIELDS["result"] if f not in ("group_id", "language")),
    "need": listing_ops.FIELDS["need"],
}
REQUIRED = {
    "organisation": ("kind", "name_vi"),
    "person": ("full_name",),
    "result": ("title", "summary", "field_code", "trl"),
    "need": ("title", "problem", "field_code", "trl_wanted"),
}
FORMS = {
    "organisation": forms.OrganisationForm,
    "person": forms.PersonForm,
    "result": forms.ResultForm,
    "need": forms.NeedForm,
}
ENUM_COLUMNS = {"kind": OrgKind, "ip_status": IPStatus, "confidentiality": Confidentiality}


def imports_dir() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def header_aliases(kind: str) -> dict[str, str]:
    """Folded header text → column: the column key, or its Vietnamese or English label."""
    aliases: dict[str, str] = {}
    with current_app.test_request_context():
        for locale in ("vi", "en"):
            with force_locale(locale):
                form = FORMS[kind](meta={"csrf": False}, formdata=None)
                for column in COLUMNS[kind]:
                    aliases[fold(column)] = column
                    if column in form:
                        aliases[fold(str(form[column].label.text))] = column
    return aliases


def start_import(
    kind: str, filename: str, data: bytes, user: Any, organisation: Organisation | None
) -> ImportBatch:
    header, _rows = read_table(filename, data)  # fail fast on an unreadable file
    aliases = header_aliases(kind)
    missing = [c for c in REQUIRED[kind] if c not in {aliases.get(fold(h)) for h in header}]
    if missing:
        raise UserError(_("Thiếu cột bắt buộc: %(cols)s.", cols=", ".join(missing)), field="file")
    batch = ImportBatch(
        kind=kind,
        filename=filename[:255],
        created_by_id=user.id,
        organisation_id=getattr(organisation, "id", None),
    )
    db.session.add(batch)
    db.session.flush()
    extension = filename.rsplit(".", 1)[-1].lower()
    batch.stored_as = f"{batch.id}.{extension}"
    (imports_dir() / batch.stored_as).write_bytes(data)
    job = start_job("import.validate", validate_import, batch.id, user=user)
    batch.job_id = job.id
    record_audit("import.uploaded", batch, actor=user, kind=kind, filename=batch.filename)
    return batch


@shared_task(name="registry.validate_import")
def validate_import(job_id: int, batch_id: int) -> dict:
    return run_job(job_id, lambda run: _validate(run, batch_id))


def _validate(run: JobRun, batch_id: int) -> dict[str, Any]:
    batch = db.session.get(ImportBatch, batch_id)
    path = imports_dir() / batch.stored_as
    # Forms need a request context; the user's language makes the messages readable.
    with current_app.test_request_context(), force_locale(run.job_locale()):
        header, rows = read_table(batch.filename, path.read_bytes())
        columns = [header_aliases(batch.kind).get(fold(h)) for h in header]
        checker = RowChecker(batch)
        valid, rejected = [], []
        for index, cells in enumerate(rows, start=2):  # row 1 is the header
            record = {c: cells[i] if i < len(cells) else "" for i, c in enumerate(columns) if c}
            data, errors = checker.check(record)
            (rejected if errors else valid).append(
                {"row": index, "errors": errors} if errors else {"row": index, "data": data}
            )
            if index % 200 == 0:
                run.progress(
                    100 * index / (len(rows) + 1), _("Đã kiểm tra %(n)d dòng", n=index - 1)
                )
    batch = db.session.get(ImportBatch, batch_id)
    batch.valid_rows, batch.rejected_rows, batch.total_rows = valid, rejected, len(rows)
    batch.state = ImportState.ready
    path.unlink(missing_ok=True)
    return {"url": f"/imports/{batch.id}", "valid": len(valid), "rejected": len(rejected)}


class RowChecker:
    """Checks one row with the page's form, plus duplicates inside the file and the registry."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        self.seen: set[str] = set()
        self.fields = {fold(f.code): f.code for f in db.session.scalars(select(ResearchField))}
        self.fields.update(
            {fold(f.name_vi): f.code for f in db.session.scalars(select(ResearchField))}
        )
        self.enum_values = {
            column: {
                **{fold(m.value): m.value for m in enum_cls},
                **{fold(str(LABELS[m])): m.value for m in enum_cls},
            }
            for column, enum_cls in ENUM_COLUMNS.items()
        }

    def _normalise(self, record: dict[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = dict(record)
        for column, mapping in self.enum_values.items():
            if values.get(column):
                values[column] = mapping.get(fold(values[column]), values[column])
        if values.get("field_code"):
            values["field_code"] = self.fields.get(fold(values["field_code"]), values["field_code"])
        return values

    def check(self, record: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The cleaned row, and the reasons it is rejected as data (``core.messages``):
        the reader words them in their language, whichever language the job ran in."""
        kind = self.batch.kind
        # Checked on the cells as read, before any folding or lookup works on them: such a
        # row is rejected on its own, the rest of the file is still checked.
        unreadable = {
            c: portable(INVALID_TEXT) for c, v in record.items() if has_invalid_characters(v)
        }
        if unreadable:
            return {}, unreadable
        values = self._normalise(record)
        formdata = MultiDict({k: v for k, v in values.items() if v != ""})
        if kind in ("result", "need"):
            formdata["organisation_id"] = str(self.batch.organisation_id)
        form = FORMS[kind](formdata=formdata, meta={"csrf": False})
        if "organisation_id" in form:
            form.organisation_id.choices = [(self.batch.organisation_id or 0, "")]
        if "group_id" in form:
            form.group_id.choices = [(0, "")]
            form.group_id.data = 0
        errors: dict[str, Any] = {}
        if not form.validate():
            errors = {
                name: portable(messages[0])
                for name, messages in form.errors.items()
                if name not in ("group_id", "csrf_token")
            }
        data = {k: v for k, v in form.data.items() if k in COLUMNS[kind]}
        if not errors:
            errors = {k: portable(v) for k, v in self._duplicates(kind, data).items()}
        return _jsonable(data), errors

    def _duplicates(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        if kind == "organisation":
            key = data.get("tax_code") or "name:" + organisation_name_key(data["name_vi"])
            if key in self.seen:
                return {"name_vi": _l("Trùng với một dòng phía trên trong tệp.")}
            self.seen.add(key)
            if data.get("tax_code") and db.session.scalar(
                select(Organisation.id).where(Organisation.tax_code == data["tax_code"])
            ):
                return {"tax_code": _l("Mã số thuế đã có trên nền tảng.")}
            if db.session.scalar(
                select(Organisation.id).where(
                    Organisation.name_key == organisation_name_key(data["name_vi"]),
                    Organisation.merged_into_id.is_(None),
                )
            ):
                return {"name_vi": _l("Tổ chức cùng tên đã có trên nền tảng.")}
        if kind == "person":
            key = data.get("orcid") or data.get("email") or data["full_name"]
            if key in self.seen:
                return {"full_name": _l("Trùng với một dòng phía trên trong tệp.")}
            self.seen.add(key)
            if data.get("orcid") and db.session.scalar(
                select(Person.id).where(Person.orcid == data["orcid"])
            ):
                return {"orcid": _l("ORCID đã có trên nền tảng.")}
        if kind in ("result", "need"):
            if data["title"] in self.seen:
                return {"title": _l("Trùng với một dòng phía trên trong tệp.")}
            self.seen.add(data["title"])
        return {}


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def _check_waiting(batch: ImportBatch) -> None:
    """Refuse unless the batch still waits for its confirmation, judged on the locked row:
    of many confirmations sent at once (a double click, a retry), only the first starts
    writing; the others wait for it to commit and are refused here."""
    lock_current(batch)
    job = find_job(batch.job_id)
    if job is not None and job.kind == "import.apply" and not job.finished:
        raise UserError(_("Lần nhập này đã được xác nhận; dữ liệu đang được ghi."))
    if batch.state is not ImportState.ready:
        raise UserError(_("Lần nhập này không còn chờ xác nhận."))


def confirm_import(batch: ImportBatch, user: Any) -> Job:
    _check_waiting(batch)
    if not batch.valid_rows:
        raise UserError(_("Không có dòng hợp lệ nào để nhập."))
    job = start_job("import.apply", apply_import, batch.id, user=user)
    batch.job_id = job.id
    record_audit("import.confirmed", batch, actor=user, rows=len(batch.valid_rows))
    return job


def cancel_import(batch: ImportBatch, user: Any) -> None:
    _check_waiting(batch)
    batch.state = ImportState.cancelled
    record_audit("import.cancelled", batch, actor=user)


@shared_task(name="registry.apply_import")
def apply_import(job_id: int, batch_id: int) -> dict:
    return run_job(job_id, lambda run: _apply(run, batch_id))


def _apply(run: JobRun, batch_id: int) -> dict[str, Any]:
    """All valid rows in one transaction: a failure on any row writes nothing at all."""

    batch = db.session.get(ImportBatch, batch_id)
    run.progress(5, "")  # commits: the lock below is taken after it and held to the end
    user = db.session.get(User, batch.created_by_id)
    created: list[int] = []
    with current_app.test_request_context(), force_locale(run.job_locale()):
        # A redelivered task (or a second job) finds the batch applied and writes nothing.
        lock_current(batch)
        if batch.state is not ImportState.ready:
            raise JobFailed(_("Lần nhập này không còn chờ xác nhận."))
        for entry in batch.valid_rows:
            try:
                created.append(_create(batch, entry["data"], user).id)
            except UserError as error:
                raise JobFailed(
                    _(
                        "Dòng %(row)d: %(message)s Không dòng nào được ghi.",
                        row=entry["row"],
                        message=error.message,
                    )
                ) from None
    batch.created_ids, batch.state, batch.applied_at = created, ImportState.applied, utcnow()
    record_audit("import.applied", batch, actor=user, created=len(created))
    return {"url": f"/imports/{batch.id}", "created": len(created)}


def _create(batch: ImportBatch, data: dict[str, Any], user: Any) -> Any:
    if batch.kind == "organisation":
        return ops.create_organisation(
            {**data, "province": data.get("province") or "Thành phố Huế"}, user=None
        )
    if batch.kind == "person":
        return ops.create_person({**data, "organisation_id": batch.organisation_id}, user)
    values = dict(data)
    if values.get("deadline"):
        values["deadline"] = dt.date.fromisoformat(values["deadline"])
    return listing_ops.create_listing(
        batch.kind, {**values, "organisation_id": batch.organisation_id}, user, publish=False
    )
