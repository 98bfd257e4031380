"""The fund's reports: the risk ledger (page and .xlsx) and application lists as CSV/.xlsx."""

from __future__ import annotations

from flask import g, render_template

from ecosystem.core.permissions import login_required, require
from ecosystem.registry.spreadsheets import download, table_download, workbook_bytes
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.blueprint import bp, call_or_404
from ecosystem.workflow.reports import application_table, risk_report


@bp.get("/ledger")
@login_required
def ledger_page():
    require(perms.can_view_ledger(g.user))
    return render_template("workflow/ledger.html", report=risk_report())


@bp.get("/ledger.xlsx")
@login_required
def ledger_xlsx():
    require(perms.can_view_ledger(g.user))
    return download(workbook_bytes(risk_report().sheets()), "xlsx", "bao-cao-rui-ro-quy.xlsx")


@bp.get("/applications.<any(csv, xlsx):fmt>")
@login_required
def export_applications(fmt: str):
    header, rows = application_table(g.user)
    return table_download(header, rows, fmt, "ho-so-quy")


@bp.get("/calls/<int:call_id>/applications.<any(csv, xlsx):fmt>")
@login_required
def export_call_applications(call_id: int, fmt: str):
    call = call_or_404(call_id)
    header, rows = application_table(g.user, call.id)
    return table_download(header, rows, fmt, f"ho-so-dot-goi-{call.id}")
