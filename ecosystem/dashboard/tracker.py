"""The task tracker's operations: create and edit tasks, file progress reports, change a
task's status (always through a report, so the history says who, when and why).

Status changes are data (``TASK_WORKFLOW``): one transition per target status. A task
becomes done only with evidence — a file or a document reference on the report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.transitions import Transition, Workflow, lock_current
from ecosystem.dashboard.models import (
    SteeringTask,
    TaskEvidence,
    TaskKind,
    TaskReport,
    TaskSource,
    TaskStatus,
    TaskStatusChange,
)
from ecosystem.dashboard.permissions import can_manage_tasks
from ecosystem.extensions import db
from ecosystem.registry.attachments import check_upload

TASK_FIELDS = ("code", "title", "source", "source_ref", "unit", "deadline", "kind", "note")
S = TaskStatus


def _record_change(task: SteeringTask, user: Any, **data: Any) -> None:
    report = data.get("_report")
    db.session.add(
        TaskStatusChange(
            task_id=task.id,
            from_status=task.status,
            to_status=data["_to"],
            changed_by_id=getattr(user, "id", None),
            report_id=getattr(report, "id", None),
            reason=(data.get("reason") or "")[:500],
        )
    )


def _needs_evidence(task: SteeringTask, user: Any, **data: Any) -> None:
    report = data.get("_report")
    if report is None or not (report.files or report.evidence_ref.strip()):
        raise UserError(
            _(
                "Nhiệm vụ chỉ được ghi là đã hoàn thành khi báo cáo có minh chứng (tệp hoặc văn bản)."
            ),
            field="evidence_ref",
        )
    _record_change(task, user, **data)


def _only_recurring(task: SteeringTask) -> str | None:
    if task.kind is not TaskKind.recurring:
        return _("Chỉ nhiệm vụ thường xuyên mới có tình trạng này.")
    return None


def _to(status: S, label: Any, effect: Any = _record_change, guard: Any = None) -> Transition:
    return Transition(
        name=f"to_{status.value}",
        sources=frozenset(set(S) - {status}),
        target=status,
        permission=can_manage_tasks,
        audit=f"task.status_{status.value}",
        label=label,
        guard=guard,
        effect=lambda task, user, **data: effect(task, user, _to=status, **data),
    )


TASK_WORKFLOW = Workflow(
    model=SteeringTask,
    state_attr="status",
    transitions=(
        _to(S.not_started, _l("Chưa triển khai")),
        _to(S.in_progress, _l("Đang triển khai")),
        _to(S.done, _l("Đã hoàn thành"), effect=_needs_evidence),
        _to(S.recurring, _l("Thường xuyên, đang thực hiện"), guard=_only_recurring),
    ),
)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: data[k] for k in TASK_FIELDS if k in data}
    for key in ("code", "title", "source_ref", "unit", "note"):
        if isinstance(values.get(key), str):
            values[key] = values[key].strip()
    if "source" in values:
        values["source"] = TaskSource(values["source"])
    if "kind" in values:
        values["kind"] = TaskKind(values["kind"])
    if values.get("kind") is TaskKind.one_off and not values.get("deadline"):
        raise UserError(_("Nhiệm vụ có thời hạn cần ghi thời hạn (dd/mm/yyyy)."), field="deadline")
    return values


def _code_taken(code: str, except_id: int | None = None) -> bool:
    statement = sa.select(SteeringTask.id).where(SteeringTask.code == code)
    if except_id is not None:
        statement = statement.where(SteeringTask.id != except_id)
    return db.session.scalar(statement) is not None


def create_task(data: dict[str, Any], user: Any) -> SteeringTask:
    values = _clean(data)
    if _code_taken(values["code"]):
        raise UserError(_("Mã nhiệm vụ %(code)s đã có.", code=values["code"]), field="code")
    status = S(data.get("status") or S.not_started)
    if status is S.recurring and values["kind"] is not TaskKind.recurring:
        raise UserError(_("Chỉ nhiệm vụ thường xuyên mới có tình trạng này."), field="status")
    task = SteeringTask(**values, status=status, created_by_id=getattr(user, "id", None))
    db.session.add(task)
    db.session.flush()
    db.session.add(
        TaskStatusChange(
            task_id=task.id,
            from_status=None,
            to_status=status,
            changed_by_id=getattr(user, "id", None),
            reason=str(data.get("reason") or ""),
        )
    )
    record_audit("task.created", task, actor=user, code=task.code, status=status.value)
    db.session.flush()
    return task


def update_task(task: SteeringTask, data: dict[str, Any], user: Any) -> SteeringTask:
    values = _clean({**{k: getattr(task, k) for k in TASK_FIELDS}, **data})
    if _code_taken(values["code"], task.id):
        raise UserError(_("Mã nhiệm vụ %(code)s đã có.", code=values["code"]), field="code")
    if task.status is S.recurring and values["kind"] is not TaskKind.recurring:
        raise UserError(
            _("Nhiệm vụ đang ở tình trạng thường xuyên; hãy đổi tình trạng trước."), field="kind"
        )
    before = {k: _plain(getattr(task, k)) for k in values}
    for key, value in values.items():
        setattr(task, key, value)
    db.session.flush()
    after = {k: _plain(getattr(task, k)) for k in values}
    changed = {k for k in values if before[k] != after[k]}
    record_audit(
        "task.updated",
        task,
        actor=user,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return task


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return getattr(value, "value", value)


def evidence_dir() -> Path:
    folder = Path(current_app.instance_path) / "task-evidence"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_report(
    task: SteeringTask,
    data: dict[str, Any],
    files: Iterable[tuple[str, IO[bytes]]],
    user: Any,
) -> TaskReport:
    """A progress report; a new status in it changes the task's status (with history)."""
    if not can_manage_tasks(user, task):
        raise UserError(_("Bạn không có quyền thực hiện thao tác này."), status=403)
    # The task's row first: the report's foreign key would otherwise take a share lock on it
    # that two concurrent reports then both try to raise to the status change's update lock.
    lock_current(task)
    status = S(data["status"])
    report = TaskReport(
        task_id=task.id,
        reported_on=data["reported_on"],
        status=status,
        text=(data.get("text") or "").strip(),
        evidence_ref=(data.get("evidence_ref") or "").strip(),
        created_by_id=getattr(user, "id", None),
    )
    if not report.text:
        raise UserError(_("Vui lòng điền thông tin này."), field="text")
    if report.reported_on > dt.date.today() + dt.timedelta(days=1):
        raise UserError(_("Ngày báo cáo không được ở tương lai."), field="reported_on")
    db.session.add(report)
    db.session.flush()
    limit = current_app.config["UPLOAD_MAX_MB"] * 1024 * 1024
    for filename, stream in files:
        content = stream.read(limit + 1)
        display, content_type = check_upload(filename, content)
        key = secrets.token_hex(16)
        report.files.append(
            TaskEvidence(
                filename=display,
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                storage_key=key,
            )
        )
        _write_after_checks(key, content)
    db.session.flush()
    record_audit("task.reported", task, actor=user, report_id=report.id, files=len(report.files))
    if status is not task.status:
        TASK_WORKFLOW.apply(task, f"to_{status.value}", user, _report=report, reason=report.text)
    elif status is S.done and not (report.files or report.evidence_ref):
        raise UserError(
            _(
                "Nhiệm vụ chỉ được ghi là đã hoàn thành khi báo cáo có minh chứng (tệp hoặc văn bản)."
            ),
            field="evidence_ref",
        )
    return report


def _write_after_checks(key: str, content: bytes) -> None:
    # Written now (the page serves it after commit); an orphan file from a refused report
    # holds nothing anyone can reach, since no row names it.
    (evidence_dir() / key).write_bytes(content)
